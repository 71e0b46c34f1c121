"""Error pages in the site's own layout, in the user's language."""

from django.shortcuts import render


def bad_request(request, exception):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors that might fail again: a plain template.
    from django.template import loader
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("errors/500.html").render())


class KeyErrors:
    """A citizen whose data key the key store does not hold (erased since the backup the
    database was restored from) gets a clear page, not a server error; so does a key
    store that cannot be reached (nothing is changed: the action's transaction rolls back)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from overgang.lib import crypto, keystore

        if isinstance(exception, crypto.KeyUnavailable):
            return render(request, "errors/key_unavailable.html", status=410)
        if isinstance(exception, keystore.KeyStoreError):
            import logging

            logging.getLogger("overgang.keystore").error("key store: %s", exception)
            return render(request, "errors/key_store_down.html", status=503)
        return None

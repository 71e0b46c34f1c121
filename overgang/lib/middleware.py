"""HTTP response headers every page carries (security.md, requirement 6)."""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Case pages must not linger in a shared tablet's cache or history.
            response["Cache-Control"] = "no-store"
        return response

    return middleware


def language(get_response):
    """Danish unless the user chose otherwise with the language switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: Overgang
    is Danish first, and a shared tablet's browser settings should not pick the language.
    """
    from django.conf import settings
    from django.utils import translation

    supported = {code for code, _name in settings.LANGUAGES}

    def middleware(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        code = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = get_response(request)
        response.headers.setdefault("Content-Language", code)
        translation.deactivate()
        return response

    return middleware


def data_keys(get_response):
    """Each citizen's data key unwrapped at most once per request (``crypto.keys_for_request``)."""
    from overgang.lib import crypto

    def middleware(request):
        with crypto.keys_for_request():
            return get_response(request)

    return middleware

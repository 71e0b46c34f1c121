"""Make the client address available to ``audit.record`` during a request."""

from overgang.audit.log import current_ip


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "") or ""


def request_context(get_response):
    def middleware(request):
        token = current_ip.set(client_ip(request))
        try:
            return get_response(request)
        finally:
            current_ip.reset(token)

    return middleware

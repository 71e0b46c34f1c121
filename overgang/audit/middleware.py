"""Make the client address available to ``audit.record`` during a request."""

from django.conf import settings

from overgang.audit.log import current_ip
from overgang.lib.clientip import client_address


def client_ip(request):
    """The real client's address, through the trusted proxies of ``TRUSTED_PROXIES``
    (used for the audit log and for the per-address login lockout)."""
    return client_address(request.META, settings.TRUSTED_PROXIES)


def request_context(get_response):
    def middleware(request):
        token = current_ip.set(client_ip(request))
        try:
            return get_response(request)
        finally:
            current_ip.reset(token)

    return middleware

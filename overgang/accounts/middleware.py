"""Session guards: idle timeout, user-agent binding, logout everywhere, second factor."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from overgang.accounts.auth import second_factor_required, signed_in_by_sso, user_agent_hash

# Seconds between writes of the last-seen time, so not every request writes the session.
_TOUCH_INTERVAL = 30


def session_guard(get_response):
    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = _end_reason(request, user)
            if reason:
                logout(request)
                messages.info(request, reason)
                return redirect(settings.LOGIN_URL)
            now = time.time()
            if now - request.session.get("last_seen", 0) > _TOUCH_INTERVAL:
                request.session["last_seen"] = now
        return get_response(request)

    return middleware


def _end_reason(request, user):
    session = request.session
    idle = time.time() - session.get("last_seen", 0)
    if idle > settings.OVERGANG_IDLE_TIMEOUT_MINUTES * 60:
        return _("Du er logget ud, fordi du har været inaktiv i %(minutes)d minutter.") % {
            "minutes": settings.OVERGANG_IDLE_TIMEOUT_MINUTES
        }
    if session.get("ua") != user_agent_hash(request):
        return _("Du er logget ud, fordi sessionen blev brugt fra en anden browser.")
    if session.get("epoch") != user.session_epoch:
        return _("Du er logget ud. Log ind igen.")
    return ""


def require_second_factor(get_response):
    """A belt to the login view's braces: a session without a verified second factor ends.

    A single sign-on session counts as verified: the identity provider asked for the
    second factor (the assurance level checked at login says so).
    """

    def middleware(request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and second_factor_required()
            and not user.is_verified()
            and not signed_in_by_sso(request)
        ):
            logout(request)
            return redirect(settings.LOGIN_URL)
        return get_response(request)

    return middleware

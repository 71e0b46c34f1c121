"""The two-step login: password first, then the TOTP code, then a session.

Between the steps the user is *not* logged in: the session only remembers, for a few
minutes, whose password was right. Only when the second factor is verified (or waived
in a demo installation) does Django's ``login`` run.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import login
from django_otp import login as otp_login

from overgang.accounts.actions import record_login

PREAUTH_KEY = "overgang_preauth"
PREAUTH_SECONDS = 300
# How the session was opened: "password" (with TOTP) or a single sign-on protocol, whose
# identity provider has already asked for the second factor.
METHOD_KEY = "auth_method"
SSO_METHODS = frozenset({"saml", "oidc"})


def user_agent_hash(request):
    return hashlib.sha256(request.META.get("HTTP_USER_AGENT", "").encode()).hexdigest()[:32]


def start_preauth(request, user, next_url):
    request.session.cycle_key()
    request.session[PREAUTH_KEY] = {"user": user.pk, "at": time.time(), "next": next_url}


def preauth_user(request):
    from overgang.accounts.models import User

    data = request.session.get(PREAUTH_KEY)
    if not data or time.time() - data.get("at", 0) > PREAUTH_SECONDS:
        return None, ""
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return user, data.get("next", "")


def complete_login(request, user, device=None, *, method="password", record=True):
    """Open the session; ``record=False`` when the caller's action already audited the login."""
    request.session.pop(PREAUTH_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    request.session[METHOD_KEY] = method
    request.session["ua"] = user_agent_hash(request)
    request.session["epoch"] = user.session_epoch
    request.session["last_seen"] = time.time()
    if record:
        # In an installation with single sign-on every password login is the break-glass one.
        record_login(user, method=method, details={"break_glass": True} if sso_configured() else None)


def signed_in_by_sso(request) -> bool:
    return request.session.get(METHOD_KEY) in SSO_METHODS


def sso_configured() -> bool:
    return bool(settings.OVERGANG_SAML or settings.OVERGANG_OIDC)


def password_login_allowed(username) -> bool:
    """With single sign-on only the break-glass administrator uses a local password."""
    if not sso_configured():
        return True
    return bool(settings.OVERGANG_BREAK_GLASS_USER) and username == settings.OVERGANG_BREAK_GLASS_USER


def second_factor_required():
    return not settings.OVERGANG_TOTP_WAIVED

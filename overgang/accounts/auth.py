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


def complete_login(request, user, device=None):
    request.session.pop(PREAUTH_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    request.session["ua"] = user_agent_hash(request)
    request.session["epoch"] = user.session_epoch
    request.session["last_seen"] = time.time()
    record_login(user)


def second_factor_required():
    return not settings.OVERGANG_TOTP_WAIVED

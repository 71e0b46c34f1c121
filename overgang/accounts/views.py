from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from overgang.accounts import actions
from overgang.accounts.access import get_municipality_for_admin, get_user_for_admin, users_of
from overgang.accounts.access import get_worker_membership_for_admin
from overgang.accounts.auth import (
    METHOD_KEY,
    complete_login,
    password_login_allowed,
    preauth_user,
    second_factor_required,
    sso_configured,
    start_preauth,
)
from overgang.accounts.decorators import role_required
from overgang.accounts.forms import (
    GrantEvaluatorForm,
    LoginForm,
    MunicipalityForm,
    ReminderForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
    WorkingTimeForm,
)
from overgang.accounts.models import Membership, Role, RoleSource
from overgang.accounts.totp import qr_svg
from overgang.audit.middleware import client_ip

def _failed_message():
    return _(
        "Login mislykkedes. Tjek brugernavn og adgangskode. Efter for mange forsøg "
        "er login spærret i %(minutes)d minutter."
    ) % {"minutes": settings.OVERGANG_LOCKOUT_MINUTES}


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return ""


@require_GET
@login_required
def home(request):
    roles = request.user.all_roles
    if Role.WORKER in roles:
        return redirect("courses:week")  # "Min uge" is the worker's start page
    if Role.LEADER in roles:
        return redirect("courses:caseload")
    if Role.ADMIN in roles:
        return redirect("accounts:admin_users", municipality=request.user.municipalities_as(Role.ADMIN)[0].code)
    if Role.EVALUATOR in roles:
        return redirect("accounts:evaluator_home")
    return render(request, "accounts/no_roles.html")


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        password = form.cleaned_data["password"]
        ip = client_ip(request)
        user = None
        stage = "password"
        if actions.is_locked_out(username, ip):
            make_password(password)  # the same work as a real check, so timing tells nothing
        elif not password_login_allowed(username):
            make_password(password)
            stage = "sso_only"
        else:
            user = authenticate(request, username=username, password=password)
            if user is not None and sso_configured() and user.all_roles - {Role.ADMIN}:
                # The break-glass account administers; it never reads cases past SSO.
                user, stage = None, "break_glass_roles"
        if user is None:
            actions.record_login_failure(username, ip, stage=stage)
            form.add_error(None, _failed_message())
        elif not second_factor_required():
            complete_login(request, user)
            return redirect(next_url or "home")
        else:
            start_preauth(request, user, next_url)
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect("accounts:totp_verify")
            return redirect("accounts:totp_enrol")
    context = {"form": form, "next": next_url, "sso": _sso_entry(), "password_open": request.method == "POST"}
    return render(request, "accounts/login.html", context, status=200)


def _sso_entry():
    """The URL of "Log ind med kommunens login", or "" without single sign-on."""
    from django.urls import reverse

    if settings.OVERGANG_SAML:
        return reverse("sso:saml_login")
    if settings.OVERGANG_OIDC:
        return reverse("sso:oidc_login")
    return ""


@require_http_methods(["GET", "POST"])
def totp_verify(request):
    user, next_url = preauth_user(request)
    if user is None:
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:totp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        allowed, _info = device.verify_is_allowed()
        if actions.is_locked_out(user.username, ip) or not allowed:
            actions.record_login_failure(user.username, ip, stage="totp_locked")
            form.add_error(None, _failed_message())
        elif device.verify_token(form.cleaned_data["token"]):
            complete_login(request, user, device)
            return redirect(next_url or "home")
        else:
            actions.record_login_failure(user.username, ip, stage="totp")
            form.add_error("token", _("Koden er forkert eller udløbet. Prøv med den nyeste kode fra din app."))
    return render(request, "accounts/totp_verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    user, next_url = preauth_user(request)
    if user is None:
        return redirect("accounts:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:totp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Overgang", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if actions.is_locked_out(user.username, ip):
            form.add_error(None, _failed_message())
        elif device.verify_token(form.cleaned_data["token"]):
            actions.do_confirm_totp_device(device, actor=user)
            complete_login(request, user, device)
            messages.success(request, _("Din to-faktor-app er tilmeldt."))
            return redirect(next_url or "home")
        else:
            actions.record_login_failure(user.username, ip, stage="totp_enrol")
            form.add_error("token", _("Koden er forkert eller udløbet. Prøv med den nyeste kode fra din app."))
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/totp_enrol.html",
        {"form": form, "qr": qr_svg(device.config_url), "secret": secret},
    )


def _base32(key: bytes) -> str:
    import base64

    raw = base64.b32encode(key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@require_POST
def logout_view(request):
    from overgang.sso import oidc  # the provider's logout, when the session came from it

    by_saml = request.session.get(METHOD_KEY) == "saml"
    oidc_logout = oidc.end_session_url(request) if request.session.get(METHOD_KEY) == "oidc" else ""
    if request.user.is_authenticated:
        with transaction.atomic():
            actions.record_logout(request.user)
    logout(request)
    if by_saml and settings.OVERGANG_SAML:
        # Single logout at the municipality's IdP too (sso app).
        return redirect("sso:saml_logout")
    if oidc_logout:
        return oidc.after_logout(request, oidc_logout)
    messages.info(request, _("Du er logget ud."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
@login_required
def account(request):
    user = request.user
    leader = user.has_role(Role.LEADER)
    posted_reminders = request.method == "POST" and "reminders" in request.POST
    form = PasswordChangeForm(user, request.POST if request.method == "POST" and not posted_reminders else None)
    reminders = ReminderForm(request.POST if posted_reminders else None, leader=leader, initial={
        "reminder_frequency": user.reminder_frequency, "reminder_team": user.reminder_team,
        "reminder_language": user.reminder_language,
    })
    if posted_reminders and reminders.is_valid():
        data = reminders.cleaned_data
        actions.do_set_reminder_preferences(user, actor=user, frequency=data["reminder_frequency"],
                                            language=data["reminder_language"], team=data.get("reminder_team", False))
        messages.success(request, _("Dine valg for påmindelser er gemt."))
        return redirect("accounts:account")
    if form.is_bound and form.is_valid():
        actions.do_set_password(user, form.cleaned_data["new_password1"], actor=user)
        user.refresh_from_db()
        request.session["epoch"] = user.session_epoch
        update_session_auth_hash(request, user)
        messages.success(request, _("Din adgangskode er skiftet. Du er logget ud på alle andre enheder."))
        return redirect("accounts:account")
    gets_reminders = bool(user.all_roles & {Role.WORKER, Role.LEADER})
    return render(request, "accounts/account.html", {"form": form, "reminders": reminders if gets_reminders else None},
                  status=400 if form.errors or reminders.errors else 200)


@require_POST
@login_required
def logout_everywhere(request):
    actions.do_logout_everywhere(request.user, actor=request.user)
    logout(request)
    messages.info(request, _("Du er logget ud på alle enheder."))
    return redirect("accounts:login")


@require_GET
@role_required(Role.EVALUATOR)
def evaluator_home(request):
    return render(request, "accounts/evaluator_home.html", {"municipalities": request.user.municipalities_as(Role.EVALUATOR)})


# --- administration: users and roles of one municipality -----------------------------


@require_GET
@role_required(Role.ADMIN)
def admin_users(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    users = []
    for user in users_of(municipality).order_by("username"):
        # Each role with where it came from: given here, or by the municipality's login.
        roles = [
            {"name": m.get_role_display(), "source": m.source, "source_name": m.get_source_display()}
            for m in user.memberships.all()
            if m.municipality_id == municipality.pk
        ]
        users.append(
            {
                "user": user,
                "roles": roles,
                "login": _login_kind(user),
                "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            }
        )
    return render(
        request,
        "accounts/admin_users.html",
        {
            "municipality": municipality,
            "users": users,
            "administered": request.user.municipalities_as(Role.ADMIN),
            "sso": sso_configured(),
        },
    )


def _login_kind(user):
    """How the user logs in: "sso" (no password here), "break_glass" or "password"."""
    if user.username and user.username == settings.OVERGANG_BREAK_GLASS_USER:
        return "break_glass"
    return "password" if user.has_usable_password() else "sso"


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user_new(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_create_user(
                municipality,
                data["username"],
                actor=request.user,
                roles=data["roles"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except actions.RoleError as exc:
            form.add_error("roles", str(exc))
        else:
            messages.success(request, _("Brugeren %(username)s er oprettet.") % {"username": data["username"]})
            return redirect("accounts:admin_users", municipality=municipality.code)
    return render(request, "accounts/admin_user_new.html", {"municipality": municipality, "form": form, "sso": sso_configured()})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user_edit(request, municipality, code):
    municipality = get_municipality_for_admin(request, municipality)
    target = get_user_for_admin(request, municipality, code)
    current_roles = sorted(Membership.objects.filter(user=target, municipality=municipality).values_list("role", flat=True))
    initial = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "is_active": target.is_active,
        "roles": current_roles,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    sso_managed = Membership.objects.filter(user=target, municipality=municipality, source=RoleSource.SSO).exists()
    if sso_managed:
        # The municipality's role catalogue decides; a change here would be undone at the
        # user's next login. Closing access ("Aktiv") still works.
        form.fields["roles"].disabled = True
        form.fields["roles"].help_text = _(
            "Rollerne kommer fra kommunens login (rollekataloget) og skiftes der. De opdateres ved brugerens næste login."
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        elsewhere = Membership.objects.filter(user=target).exclude(municipality=municipality).exists()
        if target.pk == request.user.pk and (Role.ADMIN not in data["roles"] or not data["is_active"]):
            form.add_error("roles", _("Du kan ikke fjerne din egen administratoradgang."))
        elif not data["roles"] and not elsewhere:
            # Without a role anywhere the user would vanish from every list and could
            # never be managed again; closing the access is what "Aktiv" is for.
            form.add_error("roles", _("En bruger skal have mindst én rolle. Vil du lukke brugerens adgang, så fjern "
                                      "fluebenet ved «Aktiv»."))
        else:
            try:
                with transaction.atomic():
                    actions.do_change_user(
                        target,
                        actor=request.user,
                        municipality=municipality,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        is_active=data["is_active"],
                    )
                    actions.do_set_roles(target, municipality, data["roles"], actor=request.user)
            except actions.RoleError as exc:
                target.refresh_from_db()  # the rolled-back change must not show as saved
                form.add_error("roles", str(exc))
            else:
                messages.success(request, _("Ændringerne er gemt."))
                return redirect("accounts:admin_users", municipality=municipality.code)
    context = {"municipality": municipality, "target": target, "form": form, "login": _login_kind(target)}
    context["worker_membership"] = Membership.objects.filter(user=target, municipality=municipality, role=Role.WORKER).first()
    return render(request, "accounts/admin_user_edit.html", context)


@require_POST
@role_required(Role.ADMIN)
def admin_user_reset_totp(request, municipality, code):
    municipality = get_municipality_for_admin(request, municipality)
    target = get_user_for_admin(request, municipality, code)
    actions.do_reset_second_factor(target, actor=request.user, municipality=municipality)
    messages.success(request, _("To-faktor er nulstillet. %(username)s tilmelder en ny app ved næste login.") % {"username": target.username})
    return redirect("accounts:admin_user_edit", municipality=municipality.code, code=target.code)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_municipality(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    form = MunicipalityForm(request.POST or None, instance=municipality)
    grant_form = GrantEvaluatorForm(prefix="grant")
    if request.method == "POST" and form.is_valid():
        actions.do_change_municipality(municipality, actor=request.user, team_visibility=form.cleaned_data["team_visibility"])
        messages.success(request, _("Ændringerne er gemt."))
        return redirect("accounts:admin_municipality", municipality=municipality.code)
    return render(request, "accounts/admin_municipality.html", _municipality_context(municipality, form, grant_form))


@require_POST
@role_required(Role.ADMIN)
def admin_grant_evaluator(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    grant_form = GrantEvaluatorForm(request.POST, prefix="grant")
    if grant_form.is_valid():
        evaluator = grant_form.cleaned_data["user"]
        roles = set(Membership.objects.filter(user=evaluator, municipality=municipality).values_list("role", flat=True))
        try:
            actions.do_set_roles(evaluator, municipality, roles | {Role.EVALUATOR}, actor=request.user)
        except actions.RoleError as exc:
            grant_form.add_error("username", str(exc))
        else:
            messages.success(request, _("%(username)s har fået evaluatoradgang.") % {"username": evaluator.username})
            return redirect("accounts:admin_municipality", municipality=municipality.code)
    form = MunicipalityForm(instance=municipality)
    return render(request, "accounts/admin_municipality.html", _municipality_context(municipality, form, grant_form), status=400)


def _municipality_context(municipality, form, grant_form):
    evaluators = users_of(municipality).filter(memberships__role=Role.EVALUATOR, memberships__municipality=municipality)
    return {"municipality": municipality, "form": form, "grant_form": grant_form, "evaluators": evaluators}


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user_working_time(request, municipality, code):
    """A CTI worker's share of full time, which their caseload cap is multiplied by."""
    municipality = get_municipality_for_admin(request, municipality)
    membership = get_worker_membership_for_admin(request, municipality, code)
    form = WorkingTimeForm(request.POST or None, initial={"working_time": membership.working_time.normalize()})
    if request.method == "POST":
        if form.is_valid():
            actions.do_set_working_time(membership, form.cleaned_data["working_time"], actor=request.user)
            messages.success(request, _("Arbejdstiden er gemt."))
            return redirect("accounts:admin_user_edit", municipality=municipality.code, code=membership.user.code)
    context = {"municipality": municipality, "target": membership.user, "membership": membership, "form": form}
    return render(request, "accounts/admin_user_working_time.html", context, status=400 if form.errors else 200)

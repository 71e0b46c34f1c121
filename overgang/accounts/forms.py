from decimal import Decimal

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality, ReminderFrequency, Role, User


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Brugernavn"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Adgangskode"), max_length=4096, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Engangskode fra din app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Koden består af 6 cifre.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


ROLE_CHOICES = Role.choices


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Brugernavn"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Brug kun bogstaver, tal og tegnene . @ + - _")},
    )
    first_name = forms.CharField(label=_("Fornavn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Efternavn"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Første adgangskode"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindst 12 tegn. Brugeren tilmelder sin to-faktor-app ved første login."),
    )
    roles = forms.MultipleChoiceField(label=_("Roller"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("En administrator kan ikke også være CTI-medarbejder eller projektleder."))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Brugernavnet er optaget."))
        return username

    def clean(self):
        cleaned = super().clean()
        _check_duties(self, cleaned.get("roles"))
        if cleaned.get("password") and cleaned.get("username"):
            candidate = User(username=cleaned["username"], first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(cleaned["password"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("Fornavn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Efternavn"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Aktiv (kan logge ind)"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roller i denne kommune"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("En administrator kan ikke også være CTI-medarbejder eller projektleder, og ingen kan give sig selv "
                    "en rolle."),
    )

    def clean(self):
        cleaned = super().clean()
        _check_duties(self, cleaned.get("roles"))
        return cleaned


def _check_duties(form, roles):
    """The roles chosen in one form already mix administration and case work."""
    from overgang.accounts.actions import RoleError, check_duties

    try:
        check_duties(roles or ())
    except RoleError as exc:
        form.add_error("roles", str(exc))


class GrantEvaluatorForm(forms.Form):
    username = forms.CharField(label=_("Evaluatorens brugernavn"), max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"]
        user = User.objects.filter(username=username, memberships__role=Role.EVALUATOR).distinct().first()
        if user is None:
            raise forms.ValidationError(_("Der findes ingen evaluator med dette brugernavn."))
        self.cleaned_data["user"] = user
        return username


class MunicipalityForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["team_visibility"]


class ReminderForm(forms.Form):
    """How often the user wants the e-mail digest of what is due (``overgang reminders send``)."""

    reminder_frequency = forms.ChoiceField(label=_("Påmindelser på e-mail"), widget=forms.RadioSelect,
                                           choices=ReminderFrequency.choices)
    reminder_team = forms.BooleanField(label=_("Send mig også teamets oversigt"), required=False)
    reminder_language = forms.ChoiceField(label=_("Sprog i påmindelserne"), choices=[("da", "Dansk"), ("en", "English")])

    def __init__(self, *args, leader=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not leader:
            del self.fields["reminder_team"]


class WorkingTimeForm(forms.Form):
    """A CTI worker's share of full time: "0,5" in Danish, "0.5" in English."""

    working_time = forms.DecimalField(
        label=_("Arbejdstid (andel af fuld tid)"), min_value=Decimal("0.1"), max_value=Decimal("1"), decimal_places=2,
        max_digits=3, localize=True,
        help_text=_("1 er fuld tid, 0,5 er halv tid (mellem 0,1 og 1). Medarbejderens loft over aktive forløb er "
                    "kommunens loft pr. fuldtidsmedarbejder gange denne andel, rundet ned til hele forløb."),
        error_messages={
            "required": _("Skriv arbejdstiden, fx 0,75 (1 er fuld tid)."),
            "invalid": _("Skriv et tal mellem 0,1 og 1, fx 0,75."),
            "min_value": _("Arbejdstiden skal være mindst 0,1 (en tiendedel af fuld tid)."),
            "max_value": _("Arbejdstiden kan højst være 1 (fuld tid)."),
            "max_decimal_places": _("Brug højst to decimaler, fx 0,75."),
            "max_digits": _("Skriv et tal mellem 0,1 og 1, fx 0,75."),
        },
    )

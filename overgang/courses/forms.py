import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Role, User
from overgang.courses.models import ACTORS, FOCUS_AREAS, Activity, Contact, CourseSettings, HandoverMeeting, PlanEvent
from overgang.instruments import registry
from overgang.instruments.names import instrument_name
from overgang.lib.datefields import DayField
from overgang.lib.fields import SafeModelChoiceField
from overgang.measurements.forms import _lang

# cti_start 1.1 code 7 "Andet, skriv hvad": the one answer with a text beside it.
OTHER_CONTACT_ROUTE = 7
#: Kompetencecenter Prostitution (KC) among the contact routes (the prostitution group's).
KC_CONTACT_ROUTE = 2

class PastDateField(DayField):
    """A date that is not in the future (what happened is registered, not what is planned)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", dt.date.today)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day and day > dt.date.today():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."))
        if day and day < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("Datoen er for tidlig."))
        return day


class TemplateChoiceForm(forms.Form):
    """Which course template the contact period follows (GET, before the contact form)."""

    skabelon = forms.ChoiceField(label=_("Hvilken slags forløb?"), widget=forms.RadioSelect)

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.fields["skabelon"].choices = [(offer.name, offer.title) for offer in offered]


class FirstContactForm(forms.Form):
    template = forms.CharField(widget=forms.HiddenInput)
    first_contact_on = PastDateField(label=_("Dato for første kontakt"))
    contact_route = forms.TypedChoiceField(label=_("Hvordan er kontakten etableret?"), coerce=int, widget=forms.RadioSelect)
    contact_route_other = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    third_party = forms.BooleanField(label=_("En tredjepart (fx NGO eller KC) var med ved kontakten"), required=False)

    def __init__(self, *args, template, **kwargs):
        kwargs.setdefault("initial", {})["template"] = template.name
        super().__init__(*args, **kwargs)
        self.template = template
        # The question, its choices and the "other" text are the start form's (cti_start 1.1),
        # with the routes a course of this template knows (no KC Prostitution for a homelessness course).
        instrument = template.restrict(registry.get_instrument("cti_start"))
        item = instrument.item("contact_route")
        self.other_code = OTHER_CONTACT_ROUTE
        self.fields["contact_route"].choices = [(c.code, c.label.get(_lang())) for c in item.choices.choices]
        if item.choices.get(KC_CONTACT_ROUTE) is None:
            # KC is Kompetencecenter Prostitution: no example for a course that does not know it.
            self.fields["third_party"].label = _("En tredjepart (fx en NGO eller en anden forvaltning) var med ved "
                                                 "kontakten")
        other = instrument.item("contact_route_other")
        self.fields["contact_route_other"].label = other.label.get(_lang())
        self.fields["contact_route_other"].help_text = _("Kun når kontakten er etableret på en anden måde (%(choice)s).") % {
            "choice": item.choices.get(OTHER_CONTACT_ROUTE).label.get(_lang())}

    def clean(self):
        cleaned = super().clean()
        other = (cleaned.get("contact_route_other") or "").strip()
        if other and cleaned.get("contact_route") not in (None, OTHER_CONTACT_ROUTE):
            # Kept in the form, never dropped in silence: the worker chooses.
            self.add_error("contact_route_other", _("Vælg «%(choice)s» ovenfor, eller tøm feltet.") % {
                "choice": registry.get_instrument("cti_start").item("contact_route").choices.get(
                    OTHER_CONTACT_ROUTE).label.get(_lang())})
        cleaned["contact_route_other"] = other
        return cleaned


class VersionedForm(forms.Form):
    """A correction form: saving over a newer save is refused (security.md, requirement 4)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**9)


class ContactForm(forms.Form):
    date = PastDateField(label=_("Dato"))
    form = forms.ChoiceField(label=_("Kontaktform"), choices=Contact.Form.choices)
    minutes = forms.IntegerField(label=_("Minutter"), min_value=0, max_value=24 * 60, required=False)
    attempt = forms.BooleanField(label=_("Opsøgende forsøg uden svar (borgeren blev ikke truffet)"), required=False)
    third_party = forms.BooleanField(label=_("En tredjepart var til stede (fx NGO, KC eller sagsbehandler)"),
                                     required=False)
    outside_hours = forms.BooleanField(label=_("Uden for almindelig arbejdstid (aften, nat eller weekend)"),
                                       required=False)
    note = forms.CharField(label=_("Kort note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def values_of(cleaned):
        """The cleaned data as the actions take it."""
        data = dict(cleaned)
        data["reached"] = not data.pop("attempt")
        return data


class ContactCorrectionForm(VersionedForm, ContactForm):
    @classmethod
    def initial_for(cls, contact):
        return {"date": contact.date, "form": contact.form, "minutes": contact.minutes, "attempt": not contact.reached,
                "third_party": contact.third_party, "outside_hours": contact.outside_hours, "note": contact.get_note(),
                "version": contact.version}


class DateForm(forms.Form):
    date = PastDateField(label=_("Dato"))


class PauseForm(forms.Form):
    date = PastDateField(label=_("Pausen begynder"))
    expected_end = DayField(label=_("Forventes genoptaget (hvis I ved det)"), required=False,
                                   help_text=_("Står pausen stadig åben efter denne dato, kommer den på «Min uge»."))
    reason = forms.CharField(label=_("Begrundelse"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

class RecordStartForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Skema"))
    filled_on = PastDateField(label=_("Udfyldt dato"))
    respondent = forms.ChoiceField(
        label=_("Hvem førte pennen (kun stjernen)"), required=False, widget=forms.RadioSelect,
        choices=[("citizen", _("Borgeren")), ("worker", _("CTI-medarbejderen"))],
    )

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(name, instrument_name(name)) for name in instruments]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("instrument") == "star" and not cleaned.get("respondent"):
            self.add_error("respondent", _("Angiv, om borgeren eller medarbejderen førte pennen."))
        if cleaned.get("instrument") != "star":
            cleaned["respondent"] = ""
        return cleaned


class DueForm(forms.Form):
    """A due row's button: the pen-holder only for a star (the citizen by default)."""

    respondent = forms.ChoiceField(required=False, choices=[("citizen", _("Borgeren")), ("worker", _("CTI-medarbejderen"))])


class _OwnIds:
    """Forms that share a page get ids of their own (``id_<name>_<field>``), so that a
    label never ticks a field of another form on the page."""

    id_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_name}_%s")
        super().__init__(*args, **kwargs)


class FocusAreaForm(_OwnIds, forms.Form):
    id_name = "focus"
    phase = forms.TypedChoiceField(label=_("Fase"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3")])
    area = forms.ChoiceField(label=_("Fokusområde"), choices=FOCUS_AREAS)
    goal = forms.CharField(label=_("Borgerens mål med egne ord"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    citizen_took_part = forms.BooleanField(label=_("Borgeren var med til at lave planen"), required=False)


class ActivityForm(forms.Form):
    what = forms.CharField(label=_("Hvad"), max_length=500)
    actor_kind = forms.ChoiceField(label=_("Med hvilken aktør"), choices=ACTORS)
    due_date = DayField(label=_("Frist"), required=False)

    def __init__(self, *args, focus=None, **kwargs):
        # One of these per focus area on the plan page: ids of its own per focus area.
        if focus is not None:
            kwargs.setdefault("auto_id", f"id_activity_{focus.code}_%s")
        super().__init__(*args, **kwargs)


class ActivityCorrectionForm(VersionedForm, ActivityForm):
    @classmethod
    def initial_for(cls, activity):
        return {"what": activity.get_what(), "actor_kind": activity.actor, "due_date": activity.due_date,
                "version": activity.version}


class ActivityStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices)


class PlanEventForm(_OwnIds, forms.Form):
    id_name = "event"
    kind = forms.ChoiceField(label=_("Hvad"), choices=PlanEvent.Kind.choices)
    date = PastDateField(label=_("Dato"))
    citizen_took_part = forms.BooleanField(label=_("Borgeren deltog"), required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NetworkMemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=ACTORS)
    name = forms.CharField(label=_("Navn eller organisation"), max_length=200)
    contact = forms.CharField(label=_("Kontaktoplysninger"), max_length=200, required=False)
    takes_over = forms.CharField(label=_("Tager over efter forløbet"), max_length=500, required=False)


class NetworkMemberCorrectionForm(VersionedForm, NetworkMemberForm):
    @classmethod
    def initial_for(cls, member):
        return {"role": member.role, "name": member.get_name(), "contact": member.get_contact(),
                "takes_over": member.get_takes_over(), "version": member.version}


class HandoverMeetingForm(_OwnIds, forms.Form):
    id_name = "meeting"
    kind = forms.ChoiceField(label=_("Hvad"), choices=HandoverMeeting.Kind.choices)
    date = PastDateField(label=_("Dato"))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class LongTermPlanForm(_OwnIds, forms.Form):
    id_name = "long_term"
    text = forms.CharField(label=_("Den langsigtede plan"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))


class ReassignForm(forms.Form):
    to_worker = SafeModelChoiceField(label=_("Ny CTI-medarbejder"), queryset=User.objects.none())
    note = forms.CharField(label=_("Overdragelsesnote"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, citizen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = (
            User.objects.filter(memberships__municipality=citizen.municipality, memberships__role=Role.WORKER, is_active=True)
            .exclude(pk=citizen.worker_id).exclude(memberships__role=Role.ADMIN).distinct()
        )


class CourseSettingsForm(forms.ModelForm):
    class Meta:
        model = CourseSettings
        fields = ["contact_warning_days", "caseload_cap"]
        help_texts = {"caseload_cap": _(
            "Den enkelte medarbejders loft er dette tal gange medarbejderens arbejdstid (andel af fuld tid, sat under "
            "Brugere), rundet ned til hele forløb.")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_warning_days") is not None and not 1 <= cleaned["contact_warning_days"] <= 365:
            self.add_error("contact_warning_days", _("Vælg mellem 1 og 365 dage."))
        if cleaned.get("caseload_cap") is not None and not 1 <= cleaned["caseload_cap"] <= 50:
            self.add_error("caseload_cap", _("Vælg mellem 1 og 50 forløb."))
        return cleaned


class CaseloadFilterForm(forms.Form):
    """The caseload's filters, read from the query string (every field optional)."""

    medarbejder = forms.ModelChoiceField(label=_("CTI-medarbejder"), queryset=User.objects.none(), required=False,
                                         to_field_name="code", empty_label=_("Alle medarbejdere"))
    vis = forms.ChoiceField(label=_("Vis"), required=False)
    skabelon = forms.ChoiceField(label=_("Forløbsskabelon"), required=False)
    forsinket = forms.BooleanField(label=_("Kun borgere med noget forsinket"), required=False)
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, workers=None, templates=None, **kwargs):
        """``workers``: the leader's choice of workers (None: a worker's own list, no
        choice); ``templates``: name → title of the templates in the list (a choice only
        when there is more than one)."""
        from overgang.courses import caseload

        super().__init__(*args, **kwargs)
        self.fields["vis"].choices = caseload.STATES
        self.fields["sort"].choices = caseload.SORTS
        if workers is None:
            del self.fields["medarbejder"]
        else:
            self.fields["medarbejder"].queryset = workers
        if templates and len(templates) > 1:
            self.fields["skabelon"].choices = [("", _("Alle"))] + list(templates.items())
        else:
            del self.fields["skabelon"]

    def filters(self) -> dict:
        """The chosen filters (``caseload.listing``'s arguments); a value that is not valid
        counts as not chosen (the form shows its error)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "worker": data.get("medarbejder"),
            "state": data.get("vis") or "current",
            "template": data.get("skabelon") or None,
            "overdue": bool(data.get("forsinket")),
            "sort": data.get("sort") or "urgency",
        }

    def query(self) -> dict:
        """The chosen filters as query-string values (for the sort links and the pages)."""
        chosen = self.filters()
        pairs = (("medarbejder", chosen["worker"] and chosen["worker"].code), ("vis", chosen["state"]),
                 ("skabelon", chosen["template"]), ("forsinket", "on" if chosen["overdue"] else ""))
        return {name: value for name, value in pairs if value}

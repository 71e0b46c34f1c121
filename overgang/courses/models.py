"""CTI courses: the contact period, the course with its phases and pauses, contacts,
the activity plan, the support network and the handover.

A ``Course`` begins as a contact period (``status = contact``) with a first contact;
it is then started (``active``) or closed as not started (``not_started``, with the
`not_started` form), and an active course ends (``ended``, always with a `cti_end`
form). Records hang on the course (``Record.course``); this app reads them, the
measurements app knows nothing of courses. Pauses are their own rows; "paused" is an open pause. Free text (notes, goals,
contact details) is encrypted with the citizen's data key.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality
from overgang.citizens.models import Citizen
from overgang.courses import schedule
from overgang.lib import crypto
from overgang.lib.choices import ChoiceDisplay
from overgang.programmes.build import Template
from overgang.programmes.models import TemplateVersion


class CourseSettings(models.Model):
    """A municipality's course rules that hold for every template (product.md:
    municipality settings). The calendar — phases, measurement interval and window —
    belongs to the course template, with the municipality's overrides per template
    (``programmes.TemplateOffer``)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="course_settings")
    contact_warning_days = models.PositiveSmallIntegerField(_("advarsel efter dage uden kontakt"), default=21)
    # cti-method.md §1.6: the revised method note recommends 10 courses per full-time CTI
    # worker; the fidelity view compares each worker's running courses with it.
    caseload_cap = models.PositiveSmallIntegerField(
        _("loft over aktive forløb pr. fuldtids-CTI-medarbejder"), default=10)

    @classmethod
    def for_municipality(cls, municipality):
        found = cls.objects.filter(municipality=municipality).first()
        return found or cls(municipality=municipality)


_DUE_FIELDS = ("next_due_on", "next_due_until", "next_due_instrument", "last_contact_on")


class CourseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Course.Status.CONTACT, Course.Status.ACTIVE])

    def started(self):
        return self.exclude(start_date=None)


class Course(ChoiceDisplay, models.Model):
    class Status(models.TextChoices):
        CONTACT = "contact", _("Kontaktperiode")
        ACTIVE = "active", _("I forløb")
        ENDED = "ended", _("Afsluttet")
        NOT_STARTED = "not_started", _("Ikke startet")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The id an imported course had in its package (`course_id`), kept so that an export
    # writes it back unchanged; empty for courses made here (they export their code).
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="courses")
    # The course template (target group) at the exact version the contact period began
    # with: a later version of the template never changes this course.
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="courses")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONTACT)
    first_contact_on = models.DateField(_("første kontakt"))
    # Null when unknown (imports from platforms that did not record it).
    contact_route = models.PositiveSmallIntegerField(_("hvordan kontakten blev etableret"), null=True, blank=True)
    # The worker's words when the contact came about another way (contact_route 7).
    contact_route_other_encrypted = models.TextField(blank=True, editable=False)
    third_party = models.BooleanField(_("en tredjepart (fx NGO) var med"), default=False)
    start_date = models.DateField(_("startdato"), null=True, blank=True)
    # The calendar when the course started (the template's, with the municipality's
    # overrides); a later change of either does not move a running course's calendar.
    phase1_months = models.PositiveSmallIntegerField(default=4)
    phase2_months = models.PositiveSmallIntegerField(default=4)
    phase3_months = models.PositiveSmallIntegerField(default=4)
    interval_months = models.PositiveSmallIntegerField(default=2)
    window_days = models.PositiveSmallIntegerField(default=14)
    phase2_start = models.DateField(_("fase 2 begyndte"), null=True, blank=True)
    phase3_start = models.DateField(_("fase 3 begyndte"), null=True, blank=True)
    end_date = models.DateField(_("slutdato"), null=True, blank=True)
    # When the last phase change was registered: it can be undone the same day.
    phase_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    long_term_plan_encrypted = models.TextField(blank=True, editable=False)
    # The next due registration of a running course (due.py keeps them in step with the
    # calendar and the completed records), so caseloads sort and filter in the database.
    next_due_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    next_due_until = models.DateField(null=True, blank=True, editable=False)
    next_due_instrument = models.CharField(max_length=32, blank=True, editable=False)
    # The day of the latest contact that reached the citizen (an outreach attempt without
    # answer is no contact), kept by ``last_contact.refresh`` whenever the contact log
    # changes, so the leader's caseload sorts by time since contact in the database.
    last_contact_on = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-first_contact_on", "-created"]
        # The open contact period or course of a citizen (at most one): the caseload lists
        # join it for every citizen of a municipality, the few thousand open ones of a
        # national installation's 50,000 courses.
        indexes = [models.Index(fields=["citizen"], condition=models.Q(status__in=("contact", "active")),
                                name="course_open_by_citizen")]

    def __str__(self):
        return f"{self.citizen} {self.get_status_display()}"

    @property
    def template(self) -> Template:
        """The course's template, exactly the version it began with."""
        return self.template_version.template()

    def save(self, *args, **kwargs):
        # The next-due columns are written by due.refresh only: a save of an object read
        # earlier must not put back what it read while a record was completed meanwhile.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in _DUE_FIELDS]
        super().save(*args, **kwargs)

    # --- the calendar -------------------------------------------------------------

    def plan(self) -> schedule.Plan:
        return schedule.Plan(
            phase_months=(self.phase1_months, self.phase2_months, self.phase3_months),
            interval_months=self.interval_months,
            window_days=self.window_days,
        )

    def schedule_pauses(self):
        return [schedule.Pause(p.start_date, p.end_date) for p in self.pauses.all()]

    @property
    def open_pause(self):
        return next((p for p in self.pauses.all() if p.end_date is None), None)

    @property
    def is_paused(self):
        return self.status == self.Status.ACTIVE and self.open_pause is not None

    def phase_on(self, day: dt.date) -> int | None:
        if self.start_date is None or day < self.start_date:
            return None
        if self.phase3_start and day >= self.phase3_start:
            return 3
        if self.phase2_start and day >= self.phase2_start:
            return 2
        return 1

    @property
    def phase(self):
        return self.phase_on(self.end_date or dt.date.today()) if self.start_date else None

    def active_months(self, day: dt.date | None = None) -> int:
        day = min(day or dt.date.today(), self.end_date or dt.date.max)
        return schedule.whole_active_months(self.start_date, day, self.schedule_pauses()) if self.start_date else 0

    def active_month(self, day: dt.date | None = None) -> int:
        """The month the course is in (1-based), pauses left out."""
        return self.active_months(day) + 1 if self.start_date else 0

    def planned_end(self):
        return schedule.planned_end(self.start_date, self.plan(), self.schedule_pauses()) if self.start_date else None

    def planned_phase_starts(self):
        return schedule.planned_phase_starts(self.start_date, self.plan(), self.schedule_pauses())

    def occasions(self, records=()):
        """The due measurements with the course's completed records matched to them
        (a draft does not answer a due measurement: it is still due until completed)."""
        if self.start_date is None:
            return []
        end = self.end_date if self.status == self.Status.ENDED else None
        occasions = schedule.occasions(self.start_date, self.plan(), self.schedule_pauses(), end=end)
        done = [(r.pk, r.instrument, r.filled_on) for r in records if r.status == "completed"]
        return schedule.match(occasions, done)

    def get_long_term_plan(self):
        return crypto.decrypt(self.citizen.data_key, self.long_term_plan_encrypted)

    def get_contact_route_other(self):
        return crypto.decrypt(self.citizen.data_key, self.contact_route_other_encrypted)


class Pause(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="pauses")
    start_date = models.DateField(_("pause fra"))
    end_date = models.DateField(_("pause til"), null=True, blank=True)
    # The day the worker expects to resume, if known: "Min uge" lists a pause past it.
    expected_end = models.DateField(_("forventes genoptaget"), null=True, blank=True)
    reason_encrypted = models.TextField(blank=True, editable=False)
    # When the pause was registered (null for pauses from before this was kept or
    # imported): a pause registered today can be undone today.
    created = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["start_date"]

    def get_reason(self):
        return crypto.decrypt(self.course.citizen.data_key, self.reason_encrypted)


class Contact(ChoiceDisplay, models.Model):
    """One entry of the contact log (cti-method.md §1.6, §5).

    ``reached`` is False for an outreach attempt without answer (a call not picked up, a
    visit to a known place where the citizen was not): it is logged, and it shows in the
    intensity, but it is not contact, so it does not stop the no-contact warning.
    """

    class Form(models.TextChoices):
        MEETING = "meeting", _("Møde")
        ACCOMPANIMENT = "accompaniment", _("Ledsagelse til en aftale")
        PHONE = "phone", _("Telefon")
        SMS = "sms", _("Sms")
        MAIL = "mail", _("Mail")
        OTHER = "other", _("Andet")

    # Physical meetings or activities, as the CTI forms count them (Q1.3 "fysiske møder
    # eller aktiviteter"): a meeting and going along to an appointment.
    PHYSICAL = frozenset({Form.MEETING, Form.ACCOMPANIMENT})

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("dato"))
    form = models.CharField(_("kontaktform"), max_length=16, choices=Form.choices)
    minutes = models.PositiveIntegerField(_("minutter"), null=True, blank=True)
    reached = models.BooleanField(_("borgeren blev truffet"), default=True)
    third_party = models.BooleanField(_("en tredjepart var til stede"), default=False)
    outside_hours = models.BooleanField(_("uden for almindelig arbejdstid"), default=False)
    note_encrypted = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-pk"]

    @property
    def is_physical(self):
        return self.reached and self.form in self.PHYSICAL

    def get_note(self):
        return crypto.decrypt(self.course.citizen.data_key, self.note_encrypted)

    def describe(self):
        """The entry in words, without the note: form, minutes and what else was true."""
        parts = [str(self.get_form_display())]
        if self.minutes:
            parts.append(_("%(minutes)s min.") % {"minutes": self.minutes})
        if not self.reached:
            parts.append(str(_("forsøg uden svar")))
        if self.third_party:
            parts.append(str(_("tredjepart til stede")))
        if self.outside_hours:
            parts.append(str(_("uden for arbejdstid")))
        return ", ".join(parts)


FOCUS_AREAS = [
    ("economy", _("Økonomi")),
    ("housing", _("Bolig")),
    ("network", _("Socialt netværk")),
    ("daily", _("Daglige aktiviteter")),
    ("physical", _("Fysisk helbred")),
    ("mental", _("Psykisk helbred")),
    ("substance", _("Misbrug")),
    ("work", _("Uddannelse og beskæftigelse")),
]

ACTORS = [
    ("ngo", _("NGO")),
    ("jobcenter", _("Jobcenter")),
    ("psychologist", _("Psykolog")),
    ("doctor", _("Læge eller hospital")),
    ("treatment", _("Misbrugsbehandling")),
    ("housing", _("Boligkontor eller bostøtte")),
    ("caseworker", _("Kommunal sagsbehandler")),
    ("education", _("Uddannelsessted")),
    ("private", _("Privat netværk")),
    ("other", _("Andet")),
]


class FocusArea(ChoiceDisplay, models.Model):
    """One of the 3–5 focus areas of a phase's activity plan, with the citizen's goal."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="focus_areas")
    phase = models.PositiveSmallIntegerField(_("fase"))
    area = models.CharField(_("fokusområde"), max_length=16, choices=FOCUS_AREAS)
    goal_encrypted = models.TextField(blank=True, editable=False)
    citizen_took_part = models.BooleanField(_("borgeren var med til at lave planen"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phase", "created"]
        constraints = [models.UniqueConstraint(fields=["course", "phase", "area"], name="focus_area_once_per_phase")]

    def get_goal(self):
        return crypto.decrypt(self.course.citizen.data_key, self.goal_encrypted)


class Activity(ChoiceDisplay, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        ONGOING = "ongoing", _("I gang")
        DONE = "done", _("Gennemført")
        DROPPED = "dropped", _("Opgivet")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="activities")
    what_encrypted = models.TextField(editable=False)
    actor = models.CharField(_("aktør"), max_length=16, choices=ACTORS)
    due_date = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    # The author may correct the activity (null: from before authors were kept).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        # The open activities by focus area with their deadline: the team week and
        # "Min uge" read the open activities of the open courses; without it PostgreSQL
        # read every activity of the installation (600,000 at 50,000 courses) to find them.
        indexes = [models.Index(fields=["focus_area", "due_date"], condition=models.Q(status__in=("planned", "ongoing")),
                                name="activity_open_by_focus_area")]

    @property
    def is_open(self):
        return self.status in (self.Status.PLANNED, self.Status.ONGOING)

    def get_what(self):
        return crypto.decrypt(self.focus_area.course.citizen.data_key, self.what_encrypted)


class PlanEvent(ChoiceDisplay, models.Model):
    """An evaluation or adjustment of the activity plan, dated."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluering")
        ADJUSTMENT = "adjustment", _("Justering")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="plan_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField(_("dato"))
    citizen_took_part = models.BooleanField(_("borgeren deltog"), default=False)
    note_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["date", "pk"]

    def get_note(self):
        return crypto.decrypt(self.course.citizen.data_key, self.note_encrypted)


class NetworkMember(ChoiceDisplay, models.Model):
    """A person or actor around the citizen, and what they take over after the course."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="network")
    role = models.CharField(_("rolle"), max_length=16, choices=ACTORS)
    name_encrypted = models.TextField(editable=False)
    contact_encrypted = models.TextField(blank=True, editable=False)
    takes_over_encrypted = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]

    def _decrypt(self, value):
        return crypto.decrypt(self.course.citizen.data_key, value)

    def get_name(self):
        return self._decrypt(self.name_encrypted)

    def get_contact(self):
        return self._decrypt(self.contact_encrypted)

    def get_takes_over(self):
        return self._decrypt(self.takes_over_encrypted)


class HandoverMeeting(ChoiceDisplay, models.Model):
    class Kind(models.TextChoices):
        NETWORK = "network", _("Netværksmøde")
        HANDOVER = "handover", _("Overdragelsessamtale")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="handover_meetings")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField(_("dato"))
    note_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["date", "pk"]

    def get_note(self):
        return crypto.decrypt(self.course.citizen.data_key, self.note_encrypted)


class Handover(models.Model):
    """A reassignment of the citizen to another worker, with the handover note."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="handovers")
    from_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    to_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField()
    note_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["date", "pk"]

    def get_note(self):
        return crypto.decrypt(self.citizen.data_key, self.note_encrypted)

"""What the municipality's retention rule removes today (security.md: keeping data too long).

A course is *expired* when it is closed (ended, or a contact that never started) and its
end date lies more than the municipality's retention years back. Then:

- a citizen with nothing newer — no open course, no course ended within the period, no
  record filled in within it, and registered before it — is **erased** as a whole: the
  row and with it the citizen's data key, so every copy of their encrypted data, in
  backups too, becomes unreadable (crypto-shredding);
- otherwise only the expired courses are **deleted**, with their records, contacts,
  pauses, plan, network and handover.

The plan is pure reading; ``actions.do_apply_retention`` carries it out.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from overgang.citizens.models import Citizen
from overgang.courses.models import Course
from overgang.measurements.models import Record
from overgang.rights.models import RetentionSetting

CLOSED = (Course.Status.ENDED, Course.Status.NOT_STARTED)


def cutoff(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass
class Plan:
    municipality: object
    years: int
    cutoff: datetime.date
    citizens: list = field(default_factory=list)  # Citizen objects to erase
    courses: list = field(default_factory=list)  # Course objects to delete (citizens kept)

    @property
    def empty(self):
        return not self.citizens and not self.courses


def plan(municipality, today=None) -> Plan:
    today = today or datetime.date.today()
    years = RetentionSetting.years_for(municipality)
    limit = cutoff(today, years)
    result = Plan(municipality, years, limit)
    expired = Course.objects.filter(citizen__municipality=municipality, status__in=CLOSED, end_date__lt=limit)
    recent = Q(courses__status__in=[Course.Status.CONTACT, Course.Status.ACTIVE]) | Q(courses__end_date__gte=limit)
    # Citizens with nothing newer than the limit: erased whole.
    candidates = (Citizen.objects.filter(municipality=municipality, created_on__lt=limit)
                  .exclude(recent)
                  .exclude(pk__in=Record.objects.filter(filled_on__gte=limit).values("citizen_id")))
    erase = {c.pk: c for c in candidates.order_by("pk")}
    result.citizens = list(erase.values())
    result.courses = [c for c in expired.select_related("citizen").order_by("pk") if c.citizen_id not in erase]
    return result

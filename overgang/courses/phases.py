"""What each phase is for, in the words of Socialstyrelsen's guide, and when it is due to end.

The purposes are Table 1 of the guide ("Beskrivelse af centrale aktiviteter i et
CTI-forløb", after criticaltime.org; cti-method.md §1.5). They are shown where a worker
is about to leave a phase earlier than the municipality's phase lengths say, so the
step is taken knowing what the phase was meant to achieve.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from overgang.courses import schedule


@dataclass(frozen=True)
class Purpose:
    focus: str
    activities: tuple


PURPOSES = {
    1: Purpose(
        _("Planlægning og igangsættelse af forløbet"),
        (
            _("afdækning af borgerens behov ved opstarten og løbende gennem fasen"),
            _("en aktivitetsplan lavet sammen med borgeren"),
            _("igangsættelse af de første aktiviteter"),
            _("koordinering af kontakten mellem de private og offentlige aktører, der er knyttet til forløbet"),
            _("begyndelsen på arbejdet med et støttenetværk"),
            _("tæt kontakt mellem borger og CTI-medarbejder"),
        ),
    ),
    2: Purpose(
        _("Afprøvning og tilpasning af forløbet"),
        (
            _("fortsat fokus på borgerens behov"),
            _("mindre intensiv kontakt, afhængigt af borgerens behov"),
            _("evaluering og tilpasning af aktivitetsplanen"),
            _("at se efter, om støttenetværket fungerer efter hensigten"),
        ),
    ),
    3: Purpose(
        _("Ansvarsoverdragelse og forankring"),
        (
            _("fokus på, om støttenetværket er på plads"),
            _("møder med støttenetværket, der markerer overdragelsen af støtten"),
            _("en langsigtet plan for eventuel videre støtte"),
            _("overdragelse af ansvaret for videre støtte til en aktør i netværket"),
        ),
    ),
}


def months_before_change(course) -> int:
    """The active months the current phase is planned to last up to the next change."""
    p1, p2, _p3 = course.plan().phase_months
    return p1 if course.phase2_start is None else p1 + p2


def is_early_change(course, day) -> bool:
    """Whether moving to the next phase on ``day`` comes before the expected month.

    Expected: after the municipality's phase length in whole active months (pauses left
    out), e.g. phase 2 from the start of month 5 with 4 + 4 + 4 months.
    """
    months = schedule.whole_active_months(course.start_date, day, course.schedule_pauses())
    return months < months_before_change(course)


def expected_change_date(course):
    """The planned date of the next phase change (None while paused)."""
    starts = course.planned_phase_starts()
    return starts[0] if course.phase2_start is None else starts[1]

"""The facts a definition may name as an item's pre-filled answer (``prefill:`` in YAML).

An item that declares ``prefill: contact_period.physical_meetings`` opens with the
value that source gives for the record's course: the worker sees it marked with where
it comes from ("fra kontaktloggen") and may change it; once saved it is an answer like
any other. This module is the vocabulary only — each source's name, where it comes
from, the item type (and choice list) its value fits, and what it means in words for
the codebook. The values are computed by the app that holds the facts
(``courses/prefill.py``), which this app does not know (style.md rule 2); a test holds
that app's sources and this list to each other.

The descriptions are the codebook's, for evaluators (English, like the codebook).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Where a pre-filled value comes from, as the form marks it.
ORIGINS = {
    "first_contact": _("fra første kontakt"),
    "contact_log": _("fra kontaktloggen"),
    "plan": _("fra planen"),
    "handover": _("fra overdragelsen"),
    "stars": _("fra forløbets stjerner"),
    "calendar": _("fra forløbets kalender"),
}


@dataclass(frozen=True)
class Source:
    name: str
    origin: str  # a key of ORIGINS
    type: str  # the base type of the item the value fills
    choice_list: str  # the choice list whose codes the value uses ("" for a number or date)
    description: str

    @property
    def origin_label(self):
        return ORIGINS[self.origin]

    def fits(self, base: str, list_name: str | None) -> bool:
        return base == self.type and (list_name or "") == self.choice_list


_CONTACT_PERIOD = "the contact log from the first contact to the day before the course's start date"
_LAST_TWO_MONTHS = "the contact log of the two months before the fill-in date (from the first contact at the earliest)"
_PER_WEEK = ("per week: 4 or more → 1 daily, 1.5 or more → 2 two or three a week, 0.75 or more → 3 weekly, "
             "0.35 or more → 4 every second week, fewer → 5 monthly or less; none when the log is empty")

SOURCES = {source.name: source for source in (
    Source("first_contact.route", "first_contact", "select_one", "contact_route",
           "the contact route registered with the first contact"),
    Source("first_contact.date", "first_contact", "date", "",
           "the date of the first contact"),
    Source("contact_period.forms", "contact_log", "select_multiple", "contact_forms",
           f"the forms of contact in {_CONTACT_PERIOD}, outreach attempts included: meeting or accompaniment → 1, "
           "phone → 2, text message → 3, e-mail → 4, other → 5; none when that log is empty"),
    Source("contact_period.physical_meetings", "contact_log", "integer", "",
           f"the physical meetings (a meeting or an accompaniment, the citizen reached) in {_CONTACT_PERIOD}"),
    Source("contact_period.third_party", "contact_log", "select_one", "third_party",
           f"the physical meetings with a third party present in {_CONTACT_PERIOD}, the first contact counting as "
           "one when a third party was with it: two or more → 1, one → 2, none → 5"),
    Source("contact_log.meeting_frequency", "contact_log", "select_one", "frequency",
           f"the physical meetings (citizen reached) in {_LAST_TWO_MONTHS}, {_PER_WEEK}"),
    Source("contact_log.meeting_minutes", "contact_log", "integer", "",
           f"the median minutes of the physical meetings with minutes in {_LAST_TWO_MONTHS}, rounded"),
    Source("contact_log.remote_frequency", "contact_log", "select_one", "frequency",
           f"the contacts by phone, text message, e-mail or other (citizen reached) in {_LAST_TWO_MONTHS}, {_PER_WEEK}"),
    Source("plan.exists", "plan", "select_one", "yes_no",
           "whether the course's activity plan has a focus area: yes → 1, no → 5"),
    Source("plan.citizen_took_part", "plan", "select_one", "yes_no",
           "whether the citizen took part in a focus area of the latest phase that has one: yes → 1, no → 5"),
    Source("plan.adjusted", "plan", "select_one", "yes_no",
           "whether the plan has an adjustment dated in the two months before the fill-in date: yes → 1, no → 5"),
    Source("plan.adjusted_with_citizen", "plan", "select_one", "yes_no",
           "whether the citizen took part in an adjustment dated in the two months before the fill-in date: "
           "yes → 1, no → 5; none without such an adjustment"),
    Source("plan.evaluated", "plan", "select_one", "yes_no",
           "whether the plan has an evaluation dated in the two months before the fill-in date: yes → 1, no → 5"),
    Source("handover.long_term_plan", "handover", "select_one", "yes_no",
           "whether the handover page holds a long-term plan: yes → 1, no → 5"),
    Source("handover.talks", "handover", "select_one", "yes_no_dk",
           "whether the handover page has a network meeting or handover talk dated on or before the fill-in date: "
           "yes → 1, no → 5"),
    Source("stars.latest_goal", "stars", "select_one", "goal",
           "the goal of the course's latest completed star that has one"),
    Source("stars.first_star", "stars", "select_one", "paid_trend",
           "88 'not applicable, this is the first star' when the course has no completed star filled in before"),
    Source("calendar.time_point", "calendar", "select_one", "time_point",
           "the time point the course calendar expects (instruments.md §2.8; a due row's own measurement)"),
    Source("calendar.phase", "calendar", "select_one", "phase",
           "the phase the course calendar expects after the active months (a due row's own measurement)"),
    Source("calendar.months", "calendar", "integer", "",
           "the course's whole active months on the fill-in date, pauses left out"),
)}


def source(name: str) -> Source:
    return SOURCES[name]

"""The live fidelity view as people read it: "needs attention" first, then four tables.

Every number goes through the report's ``document.Format`` and ``Cell``s, so the team's
figures are suppressed for project leaders exactly as the report suppresses them (counts
under the small-cell limit as "<5", shares and means on fewer as "(<5)"). A worker's own
figures are shown exactly to the leader of that worker — they describe the worker's
practice, not a citizen — and nothing on the page names a citizen or shows an answer.
Workers are named only to a leader of their municipality; an evaluator sees
"Medarbejder 1, 2, …", numbered by the worker's random code, so the same worker keeps the
same number from one day to the next without being named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from overgang.accounts.models import Role
from overgang.evaluation.document import Cell, Format
from overgang.evaluation.fidelity import HANDOVER_MONTHS, INSTRUMENTS, PHASES
from overgang.instruments.names import instrument_name


@dataclass
class Value:
    """A cell: the text, an optional second line (e.g. "4 af 6") and whether it is flagged."""

    text: str
    detail: str = ""
    flag: bool = False


@dataclass
class Table:
    key: str
    title: str
    intro: str
    columns: list
    rows: list = field(default_factory=list)  # (label, [Value], is_team)


def _pct(fmt, share) -> Value:
    cell = Cell("pct", share["share"], share["count"], share["n"])
    shown = fmt.show(cell)
    if shown == "–" or shown.startswith("("):
        return Value(shown)
    detail = _("%(count)s af %(n)s") % {"count": fmt.show(Cell("count", share["count"])),
                                        "n": fmt.show(Cell("count", share["n"]))}
    return Value(f"{shown} %", detail)


def _per_week(fmt, key, phase, *, team=False) -> Value:
    """Contacts per week, with the share of courses with weekly physical contact below;
    flagged when a course in phase 1 (close contact) met less often than weekly."""
    shown = fmt.show(Cell("mean", phase["per_week"], None, phase["n"]))
    if shown == "–" or shown.startswith("("):
        return Value(shown)
    weekly = phase["weekly_physical"]
    pct = fmt.show(Cell("pct", weekly["share"], weekly["count"], weekly["n"]))
    detail = (_("%(pct)s %% med fysisk kontakt ugentligt") % {"pct": pct}) if pct[:1].isdigit() else pct
    return Value(_("%(v)s pr. uge") % {"v": shown}, detail,
                 flag=not team and key == "phase1" and weekly["share"] is not None and weekly["share"] < 1)


def working_time_text(value) -> str:
    """A share of full time as people write it: 1, 0,75, 2,5 (no trailing zeros)."""
    if value is None:
        return "–"
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return number_format(Decimal(text))


def _count(fmt, value, *, flag=False) -> Value:
    return Value(fmt.show(Cell("count", value)), flag=flag and bool(value))


def worker_labels(result, user) -> dict:
    """Worker id -> the label this user may see; ``result["workers"]`` is put in the
    order people look for them (named workers by name, numbered ones by number, the
    courses without a responsible worker last)."""
    led = {m.pk for m in user.municipalities_as(Role.LEADER)}
    numbered = sorted((w for w in result["workers"] if w["id"] is not None), key=lambda w: w["code"])
    labels, order = {}, {}
    for number, worker in enumerate(numbered, start=1):
        if set(worker["municipalities"]) & led:
            labels[worker["id"]] = worker["name"] or worker["username"]
            order[worker["id"]] = (0, labels[worker["id"]].casefold(), 0)
        else:
            labels[worker["id"]] = _("Medarbejder %(n)s") % {"n": number}
            order[worker["id"]] = (1, "", number)
    labels[None] = _("Uden ansvarlig medarbejder")
    order[None] = (2, "", 0)
    result["workers"].sort(key=lambda w: order[w["id"]])
    return labels


def attention(result, labels) -> list:
    """[(worker label, [sentence, …])] for every worker with something to act on."""
    out = []
    for worker in result["workers"]:
        items = []
        load = worker["caseload"]
        if load["over_cap"] and load["working_time"] not in (None, Decimal(1)):
            items.append(_("%(active)s aktive forløb; loftet er %(cap)s ved arbejdstid %(time)s af fuld tid") % {
                "active": load["active"], "cap": load["cap"], "time": working_time_text(load["working_time"])})
        elif load["over_cap"]:
            items.append(_("%(active)s aktive forløb; loftet er %(cap)s") % {"active": load["active"], "cap": load["cap"]})
        counts = worker["attention"]
        texts = {
            "missing_start": lambda n: ngettext("%(n)s forløb mangler %(start_form)s",
                                                "%(n)s forløb mangler %(start_form)s", n),
            "missing_end": lambda n: ngettext("%(n)s afsluttet forløb mangler slutskema",
                                              "%(n)s afsluttede forløb mangler slutskema", n),
            "overdue": lambda n: ngettext("%(n)s forløb har en måling, hvis vindue er lukket uden registrering",
                                          "%(n)s forløb har målinger, hvis vindue er lukket uden registrering", n),
            "handover_late": lambda n: ngettext(
                "%(n)s forløb har under %(months)s måneder til planlagt slut, og overdragelsen er ikke begyndt",
                "%(n)s forløb har under %(months)s måneder til planlagt slut, og overdragelsen er ikke begyndt", n),
            "evaluation_missing": lambda n: ngettext(
                "%(n)s forløb er halvvejs i 2. fase uden evaluering af aktivitetsplanen",
                "%(n)s forløb er halvvejs i 2. fase uden evaluering af aktivitetsplanen", n),
            "plan_missing": lambda n: ngettext("%(n)s forløb er forbi 1. fase uden aktivitetsplan",
                                               "%(n)s forløb er forbi 1. fase uden aktivitetsplan", n),
            "plan_without_citizen": lambda n: ngettext("%(n)s aktivitetsplan er ikke lavet sammen med borgeren",
                                                       "%(n)s aktivitetsplaner er ikke lavet sammen med borgeren", n),
            "phase1_low_contact": lambda n: ngettext(
                "%(n)s forløb i 1. fase har haft fysisk kontakt sjældnere end ugentligt",
                "%(n)s forløb i 1. fase har haft fysisk kontakt sjældnere end ugentligt", n),
        }
        for key, sentence in texts.items():
            if counts[key]:
                items.append(sentence(counts[key]) % {"n": counts[key], "months": HANDOVER_MONTHS,
                                                     "start_form": instrument_name("cti_start")})
        if items:
            out.append((labels[worker["id"]], items))
    return out


def tables(result, labels, *, exact, small) -> list:
    exact_fmt = Format(suppress=False, small=small)
    team_fmt = Format(suppress=not exact, small=small)
    units = [(labels[w["id"]], w, exact_fmt, False) for w in result["workers"]]
    units.append((_("Hele teamet"), result["team"], team_fmt, True))
    phase_labels = {"phase1": _("1. fase"), "phase2": _("2. fase"), "phase3": _("3. fase")}
    caseload = Table("caseload", _("Sagsbelastning"), _(
        "Aktive forløb pr. medarbejder mod kommunens loft pr. fuldtidsmedarbejder (metodenotatet anbefaler 10) gange "
        "medarbejderens arbejdstid (1 er fuld tid), rundet ned til hele forløb, for et forløb kan ikke deles, og "
        "loftet er et maksimum: ved et loft på 10 har en medarbejder på 0,75 af fuld tid loftet 7. Teamets loft er "
        "summen af loft gange arbejdstid for alle medarbejdere, rundet ned én gang."),
        [_("Medarbejder"), _("Aktive forløb"), _("Kontaktperioder"), _("Arbejdstid"), _("Loft")])
    contact = Table("contact", _("Kontaktintensitet"), _(
        "Kontakter pr. uge i hver fase efter kontaktloggen (pauser fraregnet; en fase tæller efter 14 dage), og "
        "andelen af forløb med fysisk kontakt mindst én gang om ugen. Et opsøgende forsøg, der ikke nåede borgeren, "
        "er ikke en kontakt."), [_("Medarbejder"), *phase_labels.values()])
    plan = Table("plan", _("Aktivitetsplan og overdragelse"), _(
        "Planer lavet med borgeren (alle fokusområder); planer evalueret i 2. fase (forløb halvvejs i 2. fase); "
        "netværksmøder og overdragelsessamtaler (forløb i 3. fase); overdragelse begyndt mindst %(months)s måneder "
        "før planlagt slut.") % {"months": HANDOVER_MONTHS},
        [_("Medarbejder"), _("Plan lavet med borgeren"), _("Plan evalueret i 2. fase"), _("Netværksmøde holdt"),
         _("Overdragelsessamtale holdt"), _("Overdragelse begyndt i tide")])
    measurements = Table("measurements", _("Målinger til tiden"), _(
        "Andelen af de målinger, hvis vindue er lukket, der er registreret inden for vinduet; forløb, hvis "
        "startvindue er lukket uden %(start_form)s, og afsluttede forløb uden slutskema.") % {
            "start_form": instrument_name("cti_start")},
        [_("Medarbejder"), *(instrument_name(i) for i in INSTRUMENTS), _("Mangler startskema"),
         _("Mangler slutskema")])
    for label, unit, fmt, team in units:
        load = unit["caseload"]
        caseload.rows.append((label, [
            Value(fmt.show(Cell("count", load["active"])), flag=load["over_cap"] and not team),
            _count(fmt, load["contact"]),
            Value(working_time_text(load["working_time"])),
            Value("–" if load["cap"] is None else str(load["cap"])),
        ], team))
        contact.rows.append((label, [_per_week(fmt, p, unit["intensity"][p], team=team) for p in PHASES], team))
        plan.rows.append((label, [_pct(fmt, unit[key]) for key in (
            "plan_with_citizen", "evaluated_phase2", "network_meeting", "handover_talk", "handover_in_time")], team))
        measurements.rows.append((label, [_pct(fmt, unit["on_time"][i]) for i in INSTRUMENTS] + [
            _count(fmt, unit["missing_start"]["count"], flag=not team),
            _count(fmt, unit["missing_end"]["count"], flag=not team)], team))
    out = [caseload, contact, plan, measurements]
    for table in out:
        # Each value beside its column's name: on a phone a row reads as a small card.
        table.rows = [(label, list(zip(table.columns[1:], values)), team) for label, values, team in table.rows]
    return out

"""Problems found in an interchange package: where (file, line, column), a stable code,
and a plain-language message in Danish and English.

Codes are stable (snake_case) and documented in README.md; tests and scripts match on
them. Answer problems reuse the instrument engine's codes and its user messages
(``overgang.instruments.messages``), so a record is explained the same way in the form
and in an import report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from overgang.instruments.messages import answer_message


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str
    code: str
    message_da: str
    message_en: str

    def __str__(self):
        where = self.file + (f":{self.line}" if self.line else "") + (f" [{self.column}]" if self.column else "")
        text = self.message_da if self.message_da == self.message_en else f"{self.message_da} / {self.message_en}"
        return f"{where} {self.code}: {text}"

    def message(self, language: str | None = None) -> str:
        language = language or translation.get_language() or "da"
        return self.message_en if language.startswith("en") else self.message_da


# A hostile or badly broken package can hold millions of problems; the first thousand
# say what is wrong, the rest are counted (bounded memory, and no time spent on messages
# nobody reads).
PROBLEM_LIMIT = 1000


class Problems:
    """The problems of one import: the first ``limit`` kept, every one counted.

    Behaves like the list it replaces where the import code uses it: ``len()`` is the
    total (the rows' "did this row add a problem?" checks compare lengths), iteration and
    slicing give the kept ones, truth is "any problem at all"."""

    def __init__(self, items: Iterable = (), limit=PROBLEM_LIMIT):
        self.limit = limit
        self._kept: list = []
        self.total = 0
        self._codes: set = set()
        self.extend(items)

    def append(self, item):
        self.total += 1
        self._codes.add(item.code)
        if len(self._kept) < self.limit:
            self._kept.append(item)

    def report(self, factory, *args, code=None, **params):
        """Add ``factory(*args, **params)``, building it only when it will be kept
        (``code`` names the problem's code for the count when it is not built)."""
        self.total += 1
        if len(self._kept) < self.limit:
            item = factory(*args, **params)
            self._kept.append(item)
            self._codes.add(item.code)
        elif code:
            self._codes.add(code)

    def extend(self, items):
        for item in items:
            self.append(item)
        if isinstance(items, Problems):  # what it counted without keeping
            self.total += items.omitted
            self._codes |= items._codes

    @property
    def omitted(self) -> int:
        """Problems counted but not kept."""
        return self.total - len(self._kept)

    @property
    def codes(self) -> set:
        return set(self._codes)

    def __len__(self):
        return self.total

    def __bool__(self):
        return self.total > 0

    def __iter__(self):
        return iter(self._kept)

    def __getitem__(self, index):
        return self._kept[index]

    def __add__(self, other):
        merged = Problems(limit=self.limit)
        merged.extend(self)
        merged.extend(other)
        return merged

    def __eq__(self, other):
        if isinstance(other, (list, Problems)):
            return list(self) == list(other) and len(self) == len(other)
        return NotImplemented

    def __repr__(self):
        return f"Problems({self._kept!r}, total={self.total})"


MESSAGES = {
    "not_a_package": _("Pakken findes ikke eller er hverken en mappe eller en zip-fil."),
    "bad_zip": _("Zip-filen kan ikke læses."),
    "too_large": _("Pakken er for stor eller pakker sig ud til for meget data."),
    "subfolder": _("Pakken må ikke indeholde undermapper; alle filer skal ligge øverst."),
    "missing_file": _("Den påkrævede fil mangler i pakken."),
    "unknown_file": _("Filen hører ikke til formatet og må ikke være med i pakken."),
    "bad_manifest": _("manifest.json er ikke gyldig: %(detail)s"),
    "not_utf8": _("Filen er ikke gemt som UTF-8."),
    "bad_csv": _("Linjen kan ikke læses som CSV (fx et citationstegn, der ikke lukkes)."),
    "missing_column": _("Den påkrævede kolonne mangler."),
    "unknown_column": _("Kolonnen hører ikke til formatet."),
    "duplicate_column": _("Kolonnen står mere end én gang."),
    "bad_row": _("Linjen har %(found)s felter, men overskriften har %(expected)s."),
    "required": _("Feltet skal udfyldes."),
    "too_long": _("Værdien er for lang (højst %(max)s tegn)."),
    "bad_date": _("Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-01."),
    "implausible_date": _("Datoen skal ligge mellem %(first)s og %(last)s."),
    "bad_text": _("Feltet må ikke begynde eller slutte med mellemrum, have flere mellemrum i træk eller indeholde "
                  "linjeskift, styretegn eller usynlige tegn (fx tegn, der vender skriftretningen)."),
    "duplicate_member": _("Zip-filen indeholder to filer med samme navn."),
    "unknown_value": _("Værdien er ikke tilladt her. Tilladt: %(allowed)s."),
    "not_in_template": _("Svaret på %(item)s hører ikke til forløbsskabelonen %(template)s: skabelonen stiller ikke "
                         "det spørgsmål eller har ikke den svarmulighed."),
    "not_allowed": _("Feltet skal være tomt for dette skema."),
    "duplicate_id": _("Id'et står allerede tidligere i filen (linje %(first)s)."),
    "cpr_number": _("Id'et ligner et CPR-nummer. Brug et pseudonym."),
    "unknown_citizen": _("Borgeren findes ikke i citizens.csv."),
    "unknown_course": _("Forløbet findes ikke i courses.csv."),
    "unknown_record": _("Registreringen findes ikke i records.csv."),
    "course_required": _("Dette skema skal høre til et forløb; angiv course_id."),
    "course_of_other_citizen": _("Forløbet tilhører en anden borger."),
    "status_mismatch": _("Status skal være 'ended', netop når der er en slutdato."),
    "date_order": _("Datoen ligger før den dato, den skal følge efter (%(after)s)."),
    "second_active_course": _("Borgeren har allerede et aktivt forløb eller en åben kontaktperiode (i pakken eller i installationen)."),
    "overlapping_pause": _("Pausen overlapper en anden pause i samme forløb."),
    "duplicate_answer": _("Spørgsmålet er besvaret mere end én gang i samme registrering."),
    "wrong_municipality": _("Rækken hører til en anden kommune end den, du importerer til."),
    "unknown_worker": _("Medarbejderen findes ikke i installationen."),
    "worker_not_in_municipality": _("Brugeren er ikke CTI-medarbejder i kommunen."),
    "conflict": _("Installationen har allerede denne række med andre værdier; den overskrives ikke."),
}

# Warnings: the row is imported as it is, and the reader is told what it lacks.
WARNINGS = {
    "phase2_unknown": _("Fase 3 har en startdato, men fase 2's start er ikke registreret. Forløbet importeres med "
                        "fase 2's start som ukendt."),
}


# The administrator's upload page words these for a file chosen in a browser, not for a
# path typed on the command line (a folder, a path that does not exist).
WEB_MESSAGES = {
    "not_a_package": _("Filen er ikke en zip-fil, der kan læses. Vælg pakken som .zip-fil."),
    "unknown_worker": _("Der er ingen bruger med dette brugernavn. Opret medarbejderen under Brugere, eller lad "
                        "feltet stå tomt, og tjek pakken igen."),
    "worker_not_in_municipality": _("Brugeren er ikke CTI-medarbejder i kommunen. Giv brugeren rollen under Brugere, "
                                    "eller lad feltet stå tomt, og tjek pakken igen."),
}


def for_web(found: Problem) -> Problem:
    """``found`` worded for the upload page where the web has its own wording."""
    if found.code not in WEB_MESSAGES:
        return found
    return Problem(found.file, found.line, found.column, found.code, *_both(lambda: str(WEB_MESSAGES[found.code])))


def problem(file, line, column, code, **params) -> Problem:
    """A package problem with its message in both languages."""
    return Problem(file, line, column, code,
                   *_both(lambda: str(MESSAGES[code]) % params if params else str(MESSAGES[code])))


def warning(file, line, column, code, **params) -> Problem:
    """Something a package lacks that does not stop the import (legacy data), located like a problem."""
    return Problem(file, line, column, code,
                   *_both(lambda: str(WARNINGS[code]) % params if params else str(WARNINGS[code])))


def answer_problem(file, line, column, issue, item=None, instrument=None) -> Problem:
    """A problem with one answer, explained by the instrument engine's messages."""
    return Problem(file, line, column, issue.code, *_both(lambda: answer_message(issue, item, instrument)))


def _both(message):
    with translation.override("da"):
        da = message()
    with translation.override("en"):
        en = message()
    return da, en

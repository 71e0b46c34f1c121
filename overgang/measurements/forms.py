"""The Django form for one page of a record, built from the instrument definition.

Every field is optional here (a draft may be saved half-done); required items are
enforced when the record is completed. Each raw value is parsed and checked by the
item's question type from the instrument registry, so the form, the importer and the
exports accept exactly the same answers.
"""

import datetime

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from overgang.instruments import engine
from overgang.instruments.messages import answer_message
from overgang.instruments.names import instrument_name
from overgang.instruments.prefill import SOURCES
from overgang.instruments.types import AnswerError, Context
from overgang.lib.datefields import INVALID as DATE_INVALID
from overgang.lib.datefields import DayField
from overgang.measurements.models import Record


def _lang():
    return "en" if (get_language() or "da").startswith("en") else "da"


class PageForm(forms.Form):
    """The visible, answerable items of one page."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    # The items the page showed, so the view can tell which questions the answers opened.
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record, page, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.page = page
        self.answers = answers
        # What the record opened with (courses/prefill.py): an unanswered item opens with
        # it, and an answer that still is it is marked with where it came from.
        self.prefilled = record.get_prefilled() if record.prefilled else {}
        lang = _lang()
        visible = self._visible(record.definition, page, answers)
        self.items = [item for item in page.items if item.name in visible]
        if not self.is_bound:
            self.initial["shown"] = " ".join(item.name for item in self.items if not item.is_note)
        for item in self.items:
            if item.is_note:
                continue
            field = item.handler.form_field(item, lang)
            field.item = item
            self.fields[item.name] = field
            if not self.is_bound:
                value = answers.get(item.name)
                self.initial[item.name] = item.handler.form_initial(
                    item, value if engine.is_answered(value) else self.prefilled.get(item.name))

    def _visible(self, instrument, page, answers):
        """Relevance with this page's submitted values taken into account, in form order.

        An answer on the page can open a later question on the same page (``possible`` =
        1 opens ``goal``); the submitted value of that question then counts too.
        """
        provisional = dict(answers)
        if self.is_bound:
            for item in page.items:
                if item.is_note or not engine.relevance(instrument, provisional)[item.name]:
                    continue
                text = item.handler.form_text(item, item.handler.submitted(self.data, item) or None)
                try:
                    provisional[item.name] = item.handler.parse(item, text) if text else None
                except AnswerError:
                    provisional.pop(item.name, None)
        relevant = engine.relevance(instrument, provisional)
        return {name for name, shown in relevant.items() if shown}

    def rows(self, ladder=()):
        """What the template shows, in form order: notes, fields, and ladders grouped by stage."""
        lang = _lang()
        rows = []
        for item in self.items:
            layout = item.handler.layout(item)
            row = {"item": item, "label": item.label.get(lang), "hint": item.hint.get(lang) if item.hint else "",
                   "field": None if item.is_note else self[item.name],
                   # A ladder without the instrument's stages is shown as plain radios.
                   "kind": layout if layout != "ladder" or ladder else "field",
                   "prefilled_from": self.prefilled_from(item)}
            if row["kind"] == "ladder":
                radios = list(row["field"])
                row["stages"] = [
                    {**stage, "radios": [r for r in radios if stage["low"] <= int(r.data["value"]) <= stage["high"]]}
                    for stage in ladder
                ]
            rows.append(row)
        return rows

    def prefilled_from(self, item):
        """"fra kontaktloggen" when the item's answer (or, unanswered, what it opens
        with) is the value its source gave; "" once the worker has changed it."""
        if not item.prefill or item.name not in self.prefilled:
            return ""
        value = self.answers.get(item.name)
        if engine.is_answered(value) and value != self.prefilled[item.name]:
            return ""
        return SOURCES[item.prefill].origin_label

    def clean(self):
        cleaned = super().clean()
        changes = {}
        instrument = self.record.definition
        for item in self.items:
            if item.is_note or item.name not in self.fields or item.name in self._errors:
                # An answer the field itself refused is no change (never "cleared").
                continue
            text = item.handler.form_text(item, cleaned.get(item.name))
            if text == "":
                changes[item.name] = None
                continue
            try:
                changes[item.name] = item.handler.parse(item, text)
            except AnswerError as exc:
                # A date is typed day first here (the interchange form ÅÅÅÅ-MM-DD is for files).
                self.add_error(item.name, DATE_INVALID if exc.issue.code == "not_a_date"
                               else answer_message(exc.issue, item, instrument))
        # Checks see the record as it will be: this page's answers over the stored ones
        # (a bound such as "not before the last contact" may be on the same page).
        merged = dict(self.answers)
        for name, value in changes.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        context = Context(filled_on=self.record.filled_on, answers=merged)
        for name, value in list(changes.items()):
            if value is None:
                continue
            item = instrument.item(name)
            issues = item.handler.check(item, value, context)
            if issues:
                self.add_error(name, answer_message(issues[0], item, instrument))
                del changes[name]
        cleaned["changes"] = changes
        cleaned["shown"] = set((cleaned.get("shown") or "").split())
        return cleaned

    def saves_despite_errors(self) -> bool:
        """Only answers are refused (a number written as a word), the form itself is
        sound: the other answers are saved, and the refused ones wait in their fields
        with their messages. An autosave thus never drops a tap beside a typo."""
        answers = {item.name for item in self.items if not item.is_note}
        return bool(self.errors) and set(self.errors) <= answers and "changes" in self.cleaned_data

class StartForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Skema"))
    filled_on = DayField(label=_("Udfyldt dato"))
    respondent = forms.ChoiceField(
        label=_("Hvem førte pennen (kun stjernen)"),
        choices=Record.Respondent.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(name, instrument_name(name)) for name in instruments]
        self.fields["filled_on"].initial = datetime.date.today()

    def clean_filled_on(self):
        day = self.cleaned_data["filled_on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."))
        if day < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("Datoen er for tidlig."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("instrument") == "star" and not cleaned.get("respondent"):
            self.add_error("respondent", _("Angiv, om borgeren eller medarbejderen førte pennen."))
        if cleaned.get("instrument") != "star":
            cleaned["respondent"] = ""
        return cleaned

"""The report page's filters (GET): municipalities, start dates, goal, definitions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.evaluation.definitions import DefinitionError, Definitions, parse_overrides
from overgang.lib.datefields import DayField
from overgang.programmes import registry


def goal_label(name) -> str:
    """The goal filter's value (``reports.GOALS``: exit, life, move_home, keep_home) as
    the registration's `goal` list words it, in the reader's language."""
    from django.utils.translation import get_language

    from overgang.evaluation import reports
    from overgang.instruments import registry as instruments

    code = reports.GOALS.get(name)
    choice = instruments.get_instrument("registration").item("goal").choices.get(code) if code else None
    return choice.label.get(get_language() or "da") if choice else str(name)


def goal_choices(names):
    """The goal filter's choices: each template's own goals (its ``goals``: the codes of
    the registration's ``goal`` list), as ``reports.GOALS`` names with the codebook's
    labels; grouped by template title when there are several templates. A template's
    goals only ever appear under it: exit / better life (the prostitution template's)
    never beside a homelessness report."""
    from django.utils.translation import get_language

    from overgang.evaluation import reports
    from overgang.instruments import registry as instruments

    names_by_code = {code: name for name, code in reports.GOALS.items()}
    labels = {c.code: c.label for c in instruments.get_instrument("registration").item("goal").choices.choices}
    templates = registry.all_templates()
    language = get_language() or "da"
    per_template = []
    for name in names:
        own = [(names_by_code[code], labels[code].get(language)) for code in templates[name].goals
               if code in names_by_code and code in labels]
        if own:
            per_template.append((templates[name].title.get(language), own))
    if len(per_template) == 1:
        return per_template[0][1]
    return per_template


def template_choices(municipalities):
    """The course templates the municipalities offer or have courses of, by title in
    the reader's language."""
    from django.utils.translation import get_language

    from overgang.evaluation import reports
    from overgang.programmes import offers

    names = set(reports.templates_present(municipalities))
    for municipality in municipalities:
        names.update(offer.name for offer in offers.offered(municipality))
    templates = registry.all_templates()
    language = get_language() or "da"
    return sorted(((name, templates[name].title.get(language)) for name in names if name in templates),
                  key=lambda choice: choice[1])


DEFAULTS = Definitions()


def _definition_fields():
    """The changeable definitions as labelled controls (project leaders): the same
    settings an evaluator writes as ``key=value`` lines, named by what they mean."""
    return {
        "who5_risk_max": forms.IntegerField(
            label=_("WHO-5: risiko for nedsat trivsel ved et indeks på højst"), min_value=0, max_value=100,
            required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})),
        "who5_depression_max": forms.IntegerField(
            label=_("WHO-5: tegn på depression ved et indeks på højst"), min_value=0, max_value=100,
            required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})),
        "who5_improvement": forms.ChoiceField(
            label=_("WHO-5: fremgang er en stigning på mindst"), required=False,
            choices=[("10 points", _("10 point")), ("10 percent", _("10 procent"))]),
        "end_measure": forms.ChoiceField(
            label=_("Måling ved afslutningen"), required=False,
            choices=[("coded_end", _("Stjernen udfyldt ved afslutningen")),
                     ("last_observation", _("Borgerens seneste stjerne (følsomhedsberegning)"))]),
        "large_inclusive": forms.BooleanField(
            label=_("Stor fremgang på stjernen tæller en stigning på præcis 1 med"), required=False),
        "alpha": forms.ChoiceField(
            label=_("Signifikansniveau"), required=False,
            choices=[("0.05", "5 %"), ("0.01", "1 %"), ("0.001", "0,1 %")]),
        "small_cells": forms.IntegerField(
            label=_("Antal under dette vises som «<5»"), min_value=5, required=False,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"})),
    }


DEFINITION_FIELDS = tuple(_definition_fields())


class ReportFilterForm(forms.Form):
    kommune = forms.MultipleChoiceField(label=_("Kommuner"), required=False, widget=forms.CheckboxSelectMultiple)
    started_from = DayField(label=_("Forløb startet fra"), required=False)
    started_to = DayField(label=_("Forløb startet til"), required=False)
    skabelon = forms.ChoiceField(label=_("Forløbsskabelon"), required=False)
    goal = forms.ChoiceField(label=_("Målsætning"), required=False)
    definitions = forms.CharField(
        label=_("Definitioner"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Én ændring pr. linje, fx who5_improvement=10 percent"),
    )

    def __init__(self, data, municipalities, *, evaluator=True):
        """Evaluators write definitions as ``key=value`` lines (as on the command line);
        project leaders get labelled controls showing the values in use."""
        self.evaluator = evaluator
        if not evaluator:
            data = data.copy()
            for name in DEFINITION_FIELDS:
                if name not in data:  # the value in use, shown (an unticked box is the default: no)
                    data[name] = _shown(getattr(DEFAULTS, name))
        super().__init__(data)
        self.overrides = {}
        self.fields["kommune"].choices = [(str(m.code), m.name) for m in municipalities]
        if len(municipalities) < 2:
            del self.fields["kommune"]
        choices = template_choices(municipalities)
        self.fields["skabelon"].choices = [("", _("Alle skabeloner side om side"))] + choices
        if len(choices) < 2:
            del self.fields["skabelon"]
        chosen = data.get("skabelon") if len(choices) > 1 else None
        goals = goal_choices([name for name, _title in choices if not chosen or name == chosen])
        if goals:
            self.fields["goal"].choices = [("", _("Alle"))] + goals
        else:
            del self.fields["goal"]
        if not evaluator:
            del self.fields["definitions"]
            self.fields.update(_definition_fields())

    def filter_fields(self):
        return [self[name] for name in self.fields if name not in DEFINITION_FIELDS and name != "definitions"]

    def definition_fields(self):
        return [self[name] for name in self.fields if name in DEFINITION_FIELDS or name == "definitions"]

    def clean(self):
        data = super().clean()
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("Slutdatoen ligger før startdatoen."))
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.evaluator or self.errors:
            return
        lines = [f"{name}={_shown(self.cleaned_data[name])}" for name in DEFINITION_FIELDS
                 if self.cleaned_data.get(name) not in (None, "")]
        try:
            self.overrides = parse_overrides(lines)
        except DefinitionError as exc:
            self.add_error(exc.key if exc.key in self.fields else None, exc.message)

    def clean_definitions(self):
        lines = [line.strip() for line in self.cleaned_data.get("definitions", "").splitlines() if line.strip()]
        try:
            self.overrides = parse_overrides(lines)
        except DefinitionError as exc:
            raise forms.ValidationError(exc.message) from None
        return lines


class FidelityFilterForm(forms.Form):
    kommune = forms.MultipleChoiceField(label=_("Kommuner"), required=False, widget=forms.CheckboxSelectMultiple)
    period = forms.TypedChoiceField(
        label=_("Afsluttede forløb med"), required=False, coerce=int, empty_value=12,
        choices=[(6, _("de seneste 6 måneder")), (12, _("de seneste 12 måneder")), (24, _("de seneste 24 måneder")),
                 (0, _("alle"))],
        help_text=_("Igangværende forløb er altid med."),
    )

    def __init__(self, data, municipalities):
        if "period" not in data:
            data = data.copy()
            data["period"] = "12"
        super().__init__(data)
        self.fields["kommune"].choices = [(str(m.code), m.name) for m in municipalities]
        if len(municipalities) < 2:
            del self.fields["kommune"]


def _shown(value):
    """A definition's value as its control and ``key=value`` line write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

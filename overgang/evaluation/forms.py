"""The report page's filters (GET): municipalities, start dates, goal, definitions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.evaluation.definitions import DefinitionError, parse_overrides
from overgang.programmes import registry


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


class ReportFilterForm(forms.Form):
    kommune = forms.MultipleChoiceField(label=_("Kommuner"), required=False, widget=forms.CheckboxSelectMultiple)
    started_from = forms.DateField(label=_("Forløb startet fra"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    started_to = forms.DateField(label=_("Forløb startet til"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    skabelon = forms.ChoiceField(label=_("Forløbsskabelon"), required=False)
    goal = forms.ChoiceField(label=_("Målsætning"), required=False, choices=[
        ("", _("Alle")), ("exit", _("Exit fra prostitution")), ("life", _("Forbedret livssituation"))])
    definitions = forms.CharField(
        label=_("Definitioner"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Én ændring pr. linje, fx who5_improvement=10 percent"),
    )

    def __init__(self, data, municipalities):
        super().__init__(data)
        self.overrides = {}
        self.fields["kommune"].choices = [(str(m.code), m.name) for m in municipalities]
        if len(municipalities) < 2:
            del self.fields["kommune"]
        choices = template_choices(municipalities)
        self.fields["skabelon"].choices = [("", _("Alle skabeloner side om side"))] + choices
        if len(choices) < 2:
            del self.fields["skabelon"]
        if registry.DEFAULT not in {name for name, _title in choices}:
            # The goals exit / better life are the prostitution template's (goals 1 and 2).
            del self.fields["goal"]

    def clean(self):
        data = super().clean()
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("Slutdatoen ligger før startdatoen."))
        return data

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

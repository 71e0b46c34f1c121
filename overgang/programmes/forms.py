from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TemplateOffer


class TemplateOfferForm(forms.Form):
    """Offer a template, and where the municipality departs from its calendar."""

    offered = forms.BooleanField(label=_("Kommunen tilbyder forløb efter denne skabelon"), required=False)
    phase1_months = forms.IntegerField(label=_("Fase 1 (måneder)"), min_value=1, max_value=12, required=False)
    phase2_months = forms.IntegerField(label=_("Fase 2 (måneder)"), min_value=1, max_value=12, required=False)
    phase3_months = forms.IntegerField(label=_("Fase 3 (måneder)"), min_value=1, max_value=12, required=False)
    interval_months = forms.IntegerField(label=_("Stjerne og CTI-skema hver (måneder)"), min_value=1, max_value=12,
                                         required=False)
    window_days = forms.IntegerField(label=_("Vindue før og efter (dage)"), min_value=0, max_value=60, required=False)

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        calendar = template.calendar
        defaults = {
            "phase1_months": calendar.phase_months[0], "phase2_months": calendar.phase_months[1],
            "phase3_months": calendar.phase_months[2], "interval_months": calendar.interval_months,
            "window_days": calendar.window_days,
        }
        for name, value in defaults.items():
            field = self.fields[name]
            field.help_text = _("Tom: skabelonens %(value)s.") % {"value": value}
            field.widget.attrs.update({"placeholder": str(value), "inputmode": "numeric"})

    def clean(self):
        cleaned = super().clean()
        for name in TemplateOffer.OVERRIDES:
            cleaned.setdefault(name, None)
        return cleaned

    @property
    def overrides(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in TemplateOffer.OVERRIDES}

from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality, Role
from overgang.instruments import registry
from overgang.instruments.names import instrument_name
from overgang.lib.fields import SafeModelMultipleChoiceField

from . import uploads
from .actions import EvaluatorExportOptions
from .formats import WRITERS


class ImportUploadForm(forms.Form):
    package = forms.FileField(label=_("Pakke (zip-fil i formatet overgang-interchange/1)"))

    def clean_package(self):
        package = self.cleaned_data["package"]
        if not package.name.lower().endswith(".zip"):
            raise forms.ValidationError(_("Vælg en zip-fil."))
        if package.size > uploads.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Filen er for stor."))
        return package


FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("dta", "Stata (.dta)"), ("sav", "SPSS (.sav)"),
                  ("parquet", "Parquet")]
assert {code for code, _label in FORMAT_CHOICES} == set(WRITERS)


class EvaluatorExportForm(forms.Form):
    municipalities = SafeModelMultipleChoiceField(
        label=_("Kommuner"), queryset=Municipality.objects.none(), widget=forms.CheckboxSelectMultiple)
    instruments = forms.MultipleChoiceField(label=_("Skemaer"), widget=forms.CheckboxSelectMultiple)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    purpose = forms.CharField(
        label=_("Formål med udtrækket"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    include_text = forms.BooleanField(label=_("Medtag fritekst"), required=False)
    shift_dates = forms.BooleanField(label=_("Forskyd datoer pr. borger"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        granted = [m.pk for m in user.municipalities_as(Role.EVALUATOR)]
        self.fields["municipalities"].queryset = Municipality.objects.filter(pk__in=granted)
        self.fields["instruments"].choices = [
            (name, instrument_name(name)) for name in registry.all_instruments()
        ]

    def clean_purpose(self):
        purpose = self.cleaned_data["purpose"].strip()
        if not purpose:
            raise forms.ValidationError(_("Skriv formålet med udtrækket."))
        return purpose

    def options(self) -> EvaluatorExportOptions:
        data = self.cleaned_data
        return EvaluatorExportOptions(
            municipalities=tuple(data["municipalities"]), instruments=tuple(data["instruments"]),
            format=data["format"], purpose=data["purpose"], include_text=data["include_text"],
            shift_dates=data["shift_dates"],
        )

from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.courses.forms import PastDateField
from overgang.rights.models import Consent


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Samtykke til"), choices=Consent.Kind.choices, widget=forms.RadioSelect)
    given_on = PastDateField(label=_("Givet den"))
    informed = forms.BooleanField(
        label=_("Borgeren har fået informationsarket (mundtligt eller på papir)"),
        error_messages={"required": _("Giv borgeren informationsarket, før samtykket registreres.")},
    )


class WithdrawForm(forms.Form):
    withdrawn_on = PastDateField(label=_("Trukket tilbage den"))


class RetentionForm(forms.Form):
    years = forms.IntegerField(label=_("Opbevaringstid (år efter forløbets afslutning)"), min_value=1, max_value=30,
                               help_text=_("Forløb, der sluttede for længere tid siden, slettes af 'overgang retention "
                                           "apply'. Standard: 5 år."))

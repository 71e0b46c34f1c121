from django import forms
from django.utils.translation import gettext_lazy as _

from overgang.citizens.pseudonym import MAX_LENGTH, message, problem, tidy


class CitizenForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=MAX_LENGTH,
        help_text=_("Et navn borgeren selv har valgt. Aldrig et CPR-nummer eller borgerens rigtige navn."),
    )
    identity_note = forms.CharField(
        label=_("Identitetsnote (valgfri)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kun til det, du skal bruge for at genkende borgeren. Kun du som ansvarlig medarbejder kan læse den."),
    )

    def clean_pseudonym(self):
        pseudonym = tidy(self.cleaned_data["pseudonym"])
        code = problem(pseudonym)
        if code:
            raise forms.ValidationError(message(code), code=code)
        return pseudonym


class CitizenEditForm(CitizenForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EraseForm(forms.Form):
    confirm = forms.CharField(label=_("Skriv borgerens pseudonym for at bekræfte"), max_length=64)

    def __init__(self, *args, pseudonym, **kwargs):
        super().__init__(*args, **kwargs)
        self.pseudonym = pseudonym

    def clean_confirm(self):
        value = " ".join(self.cleaned_data["confirm"].split())
        if value.casefold() != self.pseudonym.casefold():
            raise forms.ValidationError(_("Pseudonymet passer ikke. Borgeren er ikke slettet."))
        return value

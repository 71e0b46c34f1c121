"""Password rules beyond Django's four (settings.AUTH_PASSWORD_VALIDATORS).

Django's similarity validator compares the whole password with the user's attributes,
so a name written twice with a number ("carlacarla12") passes, and nothing stops twelve
times the same letter. These two close that gap; messages are Danish with an English
translation, like Django's own.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MIN_PART = 3


class ContainsUserAttributeValidator:
    """Refuse a password that contains the username, the first or last name, or the
    e-mail's local part (parts of three characters or more, case-insensitive)."""

    def validate(self, password, user=None):
        if user is None:
            return
        folded = password.casefold()
        email = (getattr(user, "email", "") or "").split("@")[0]
        for value in (getattr(user, "username", ""), getattr(user, "first_name", ""), getattr(user, "last_name", ""),
                      email):
            for part in re.split(r"[\W_]+", (value or "").casefold()):
                if len(part) >= _MIN_PART and part in folded:
                    raise ValidationError(
                        _("Adgangskoden må ikke indeholde dit brugernavn, dit navn eller din e-mail."),
                        code="password_contains_user_attribute",
                    )

    def get_help_text(self):
        return _("Adgangskoden må ikke indeholde dit brugernavn, dit navn eller din e-mail.")


class RepetitionValidator:
    """Refuse a password of few distinct characters or one short piece repeated
    ("aaaaaaaaaaaa", "abcabcabcabc", "12121212abab" has too few distinct characters)."""

    def __init__(self, min_distinct=5):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if len(set(password.casefold())) < self.min_distinct or re.fullmatch(r"(.{1,6}?)\1+", password.casefold()):
            raise ValidationError(
                _("Adgangskoden er for ensformig: brug mindst %(count)d forskellige tegn og ingen gentaget stump.")
                % {"count": self.min_distinct},
                code="password_repetitive",
            )

    def get_help_text(self):
        return _("Adgangskoden skal have mindst %(count)d forskellige tegn og må ikke være en gentaget stump.") % {
            "count": self.min_distinct}

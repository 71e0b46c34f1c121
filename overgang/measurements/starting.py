"""Starting a record for a citizen outside a course page (``measurements:start``).

Which forms can apply now is the course's rule — a contact period takes the background
registration or the not-started form, a running course no `not_started`, a form filled
in once per course not a second time — and a record belongs to the course it was
filled in for. The measurements app knows nothing of courses (style.md rule 2), so the
courses app registers the rule here when Django starts (``CoursesConfig.ready``) and
``measurements:start`` goes through it: one rule for every way a form is begun.
"""

from django.core.exceptions import ImproperlyConfigured


class StartRefused(Exception):
    """The form cannot apply to the citizen now; the message says why, in the user's language."""


_starter = None


def register(starter):
    """``starter(citizen, instrument, *, actor, filled_on, respondent)`` returns the new
    record or raises StartRefused."""
    global _starter
    _starter = starter


def start(citizen, instrument, *, actor, filled_on, respondent=""):
    if _starter is None:
        raise ImproperlyConfigured("no app registered how records are started (overgang.courses must be installed)")
    return _starter(citizen, instrument, actor=actor, filled_on=filled_on, respondent=respondent)

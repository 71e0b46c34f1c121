"""Each course's latest contact that reached the citizen, kept on the course.

The caseload lists sort by the time since the citizen was last reached (``caseload.py``)
over every current course of a municipality; a subquery per citizen over the contact
log made the leader's list cost seconds at 50,000 courses. ``Course.last_contact_on`` is
a cache of ``max(date)`` of the course's reached contacts (null without one), like the
next due registration of ``due.py``: whatever writes the contact log calls ``refresh``
(``actions.do_log_contact``, ``actions.do_change_contact``), the generator writes it with
the course, the migration that added it filled it, and ``tests/test_last_contact.py``
checks it against the log after every kind of change. The interchange carries no
contact log, so an import leaves it empty as the log is.
"""

from django.db.models import Max, OuterRef, Subquery

CHUNK = 2000


def latest(course):
    """The subquery of a course's latest reached contact (``course``: an OuterRef)."""
    from overgang.courses.models import Contact

    return Subquery(Contact.objects.filter(course=course, reached=True).order_by().values("course")
                    .annotate(latest=Max("date")).values("latest")[:1])


def refresh(course_pks):
    """Recompute and store the latest reached contact of these courses (pks)."""
    from overgang.courses.models import Course

    pks = sorted(set(course_pks))
    for begin in range(0, len(pks), CHUNK):
        Course.objects.filter(pk__in=pks[begin:begin + CHUNK]).update(last_contact_on=latest(OuterRef("pk")))


def refresh_course(course):
    """``refresh`` for one course object, keeping the object's field in step."""
    from overgang.courses.models import Course

    refresh([course.pk])
    course.last_contact_on = Course.objects.filter(pk=course.pk).values_list("last_contact_on", flat=True).first()

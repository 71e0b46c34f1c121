"""The one door to courses and the objects that hang on them: as visible as the citizen's case."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from overgang.citizens.access import authorize, can_write
from overgang.courses.models import Activity, Contact, Course, FocusArea, NetworkMember

_COURSE = ("citizen__municipality", "citizen__worker")


def get_course_for_user(request, code, *, write=False) -> Course:
    course = Course.objects.select_related(*_COURSE).prefetch_related("pauses").filter(code=code).first()
    if course is None:
        raise Http404
    authorize(request.user, course.citizen, write=write)
    return course


def _owned(model, path, request, code, write):
    obj = model.objects.select_related(*[f"{path}__{p}" for p in _COURSE]).filter(code=code).first()
    if obj is None:
        raise Http404
    course = obj
    for part in path.split("__"):
        course = getattr(course, part)
    authorize(request.user, course.citizen, write=write)
    return obj


def get_focus_area_for_user(request, code, *, write=False) -> FocusArea:
    return _owned(FocusArea, "course", request, code, write)


def get_activity_for_user(request, code, *, write=False) -> Activity:
    return _owned(Activity, "focus_area__course", request, code, write)


def get_network_member_for_user(request, code, *, write=False) -> NetworkMember:
    return _owned(NetworkMember, "course", request, code, write)


def get_contact_for_user(request, code, *, write=False) -> Contact:
    return _owned(Contact, "course", request, code, write)


def is_author(user, obj, citizen) -> bool:
    """Whether ``user`` may correct ``obj`` (a contact, an activity, a network member):
    its author, while still able to write the case. Entries from before authors were
    kept (or imported) belong to the citizen's responsible worker."""
    if not can_write(user, citizen):
        return False
    return obj.created_by_id is None or obj.created_by_id == user.pk


def authored(user, objs, citizen) -> set:
    """The pks of those of ``objs`` (entries of one citizen's case) that ``user`` may
    correct: ``is_author`` for each, with the case's write access checked once."""
    if not can_write(user, citizen):
        return set()
    return {obj.pk for obj in objs if obj.created_by_id is None or obj.created_by_id == user.pk}


def for_author(obj, request, citizen):
    """``obj`` if the requester is its author, else 403 (the case itself is visible)."""
    if not is_author(request.user, obj, citizen):
        raise PermissionDenied
    return obj


def get_contact_for_author(request, code) -> Contact:
    contact = get_contact_for_user(request, code, write=True)
    return for_author(contact, request, contact.course.citizen)


def get_activity_for_author(request, code) -> Activity:
    activity = get_activity_for_user(request, code, write=True)
    return for_author(activity, request, activity.focus_area.course.citizen)


def get_network_member_for_author(request, code) -> NetworkMember:
    member = get_network_member_for_user(request, code, write=True)
    return for_author(member, request, member.course.citizen)

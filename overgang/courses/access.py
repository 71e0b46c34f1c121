"""The one door to courses and the objects that hang on them: as visible as the citizen's case."""

from django.http import Http404

from overgang.citizens.access import authorize
from overgang.courses.models import Activity, Course, FocusArea, NetworkMember

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

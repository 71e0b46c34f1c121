"""The one door to records: a record is as visible as its citizen's case."""

from django.http import Http404

from overgang.citizens.access import authorize
from overgang.measurements.models import Record


def get_record_for_user(request, code, *, write=False) -> Record:
    record = (
        Record.objects.with_version().select_related("citizen__municipality", "citizen__worker")
        .filter(code=code)
        .first()
    )
    if record is None:
        raise Http404
    authorize(request.user, record.citizen, write=write)
    return record

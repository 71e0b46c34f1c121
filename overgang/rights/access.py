"""The one door to consents: as visible as the citizen's case (citizens.access)."""

from django.http import Http404

from overgang.citizens.access import authorize
from overgang.rights.models import Consent


def get_consent_for_user(request, code, *, write=False) -> Consent:
    consent = Consent.objects.select_related("citizen__municipality", "citizen__worker").filter(code=code).first()
    if consent is None:
        raise Http404
    authorize(request.user, consent.citizen, write=write)
    return consent

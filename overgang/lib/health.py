"""``/status/``: is this host able to serve? For load balancers (README, "Running in production")
and the benchmark's floor (the cheapest page the server has, measured beside each page).

It asks the database and the key store one trivial question each, so a host that lost
either is taken out of rotation (without its key store a host can show no citizen's
text or answers): 200 ``ok``, else 503 ``unavailable`` and the reason in the log. It
reveals nothing and needs no login (there is nothing to protect).
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from overgang.lib import keystore

logger = logging.getLogger(__name__)


@require_GET
def status(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        store = keystore.store()
        if store is not None:
            store.ping()
    except (DatabaseError, keystore.KeyStoreError):
        logger.error("/status/: this host cannot serve", exc_info=True)
        answer, code = "unavailable\n", 503
    else:
        answer, code = "ok\n", 200
    response = HttpResponse(answer, status=code, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response

"""``/status/``: is this host able to serve? For load balancers (README, "Running in production")
and the benchmark's floor (the cheapest page the server has, measured beside each page).

It asks the database one trivial question, so a host that lost its database is taken out
of rotation. It reveals nothing and needs no login (there is nothing to protect).
"""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def status(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response

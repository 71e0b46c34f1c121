from django.urls import include, path
from django.views.i18n import set_language

from overgang.accounts.views import home
from overgang.lib.health import status

urlpatterns = [
    path("", home, name="home"),
    path("status/", status, name="status"),
    path("sprog/", set_language, name="set_language"),
    path("", include("overgang.accounts.urls")),
    path("", include("overgang.courses.urls")),
    path("", include("overgang.programmes.urls")),
    path("borgere/", include("overgang.citizens.urls")),
    path("", include("overgang.measurements.urls")),
    path("", include("overgang.exports.urls")),
    path("", include("overgang.evaluation.urls")),
    path("", include("overgang.sso.urls")),
    path("", include("overgang.rights.urls")),
]

handler400 = "overgang.lib.errors.bad_request"
handler403 = "overgang.lib.errors.permission_denied"
handler404 = "overgang.lib.errors.page_not_found"
handler500 = "overgang.lib.errors.server_error"

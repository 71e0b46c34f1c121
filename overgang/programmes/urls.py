from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("administration/<uuid:municipality>/skabeloner/", views.admin_list, name="admin_list"),
    path("administration/<uuid:municipality>/skabeloner/<slug:name>/", views.admin_edit, name="admin_edit"),
]

from django.urls import path

from overgang.citizens import views

app_name = "citizens"

urlpatterns = [
    path("ny/", views.new, name="new"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/rediger/", views.edit, name="edit"),
    path("<uuid:code>/slet/", views.erase, name="erase"),
]

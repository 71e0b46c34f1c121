from django.urls import path

from overgang.measurements import views

app_name = "measurements"

urlpatterns = [
    path("borgere/<uuid:code>/skemaer/", views.record_list, name="list"),
    path("borgere/<uuid:code>/skemaer/ny/", views.start, name="start"),
    path("skemaer/<uuid:code>/", views.detail, name="detail"),
    path("skemaer/<uuid:code>/side/<int:page>/", views.fill, name="fill"),
    path("skemaer/<uuid:code>/afslut/", views.complete, name="complete"),
    path("skemaer/<uuid:code>/kasser/", views.discard, name="discard"),
]

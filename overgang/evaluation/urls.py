from django.urls import path

from overgang.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("rapport/", views.report, name="report"),
    path("rapport/hent/<str:fmt>/", views.download, name="download"),
    path("fidelitet/", views.fidelity, name="fidelity"),
]

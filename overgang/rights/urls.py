from django.urls import path

from overgang.rights import views

app_name = "rights"

urlpatterns = [
    path("borgere/<uuid:code>/rettigheder/", views.citizen_rights, name="citizen"),
    path("borgere/<uuid:code>/rettigheder/samtykke/", views.consent_add, name="consent_add"),
    path("samtykke/<uuid:code>/tilbagekald/", views.consent_withdraw, name="consent_withdraw"),
    path("borgere/<uuid:code>/information/", views.information_sheet, name="information"),
    path("borgere/<uuid:code>/indsigt.pdf", views.subject_access_pdf, name="subject_access"),
    path("administration/<uuid:municipality>/opbevaring/", views.retention_settings, name="retention"),
]

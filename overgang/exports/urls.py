from django.urls import path

from overgang.exports import views

app_name = "exports"

urlpatterns = [
    path("administration/<uuid:municipality>/import/", views.admin_import, name="admin_import"),
    path(
        "administration/<uuid:municipality>/import/bekraeft/", views.admin_import_confirm, name="admin_import_confirm"
    ),
    path("administration/<uuid:municipality>/import/eksempelpakke/", views.admin_import_sample,
         name="admin_import_sample"),
    path("evaluering/udtraek/", views.evaluator_export, name="evaluator_export"),
]

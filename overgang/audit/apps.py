from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "overgang.audit"
    verbose_name = "Audit"

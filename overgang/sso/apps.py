from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "overgang.sso"
    label = "sso"
    verbose_name = "Single sign-on"

from django.apps import AppConfig


class PlarConfig(AppConfig):
    name = "plar"
    verbose_name = "Plar"

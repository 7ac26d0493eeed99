from django.apps import AppConfig


class MicrocredConfig(AppConfig):
    name = "microcred"
    verbose_name = "Accounts and roles"

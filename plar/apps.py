from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlarConfig(AppConfig):
    name = "plar"
    verbose_name = _("Prior learning (PLAR)")

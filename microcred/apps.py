from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MicrocredConfig(AppConfig):
    name = "microcred"
    verbose_name = "Accounts and roles"


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our staff-only site as the default site."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "microcred.sites.StaffAdminSite"

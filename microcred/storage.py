"""Private file storage: learners' submissions, never reachable by URL."""

from functools import cached_property

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``.

    They have no public URL: views that check who is asking (the learner and
    their graders) stream them. The folder follows the setting, so a test or a
    deployment can move it.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _PrivateStorage(LazyObject):
    """``STORAGES["private"]``, looked up on first use and again after the
    setting changes (as Django does for ``default_storage``)."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """Learners' files: local by default, a private bucket when configured.

    A callable, so a model field names it in migrations and the backend follows
    the settings (see ``microcred/settings/storages.py``).
    """
    return _private

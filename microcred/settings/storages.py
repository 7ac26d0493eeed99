"""Where files live: local folders by default, an S3-compatible bucket when set.

``build_storages`` turns the environment into Django's ``STORAGES``. Three
storages:

- ``default``: uploaded course media (videos, captions, resources) and, later,
  generated certificates and badge images;
- ``private``: learners' submissions. Never reachable by URL on local disk
  (``microcred.storage.PrivateFileSystemStorage``); in a bucket every object is
  written with the ``private`` ACL, and the views that check who is asking
  stream it (they never hand out a bucket URL);
- ``staticfiles``: CSS and JavaScript (always local; whitenoise in production).

Set ``S3_BUCKET`` to use a bucket (AWS S3, MinIO, Ceph, Scaleway, OVH...):
``S3_ENDPOINT_URL`` for anything but AWS, ``S3_REGION``, ``S3_ACCESS_KEY_ID``
and ``S3_SECRET_ACCESS_KEY`` (or the usual AWS variables / an instance role),
``S3_ADDRESSING_STYLE`` (``path`` for MinIO), ``S3_MEDIA_LOCATION`` and
``S3_PRIVATE_LOCATION`` (key prefixes, default ``media`` and ``private``).
"""

from __future__ import annotations

from typing import Any

import environ

S3_BACKEND = "storages.backends.s3.S3Storage"


def _s3_options(env: environ.Env) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bucket_name": env("S3_BUCKET"),
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": env.int("S3_URL_EXPIRE_SECONDS", default=600),
    }
    optional = {
        "endpoint_url": "S3_ENDPOINT_URL",
        "region_name": "S3_REGION",
        "access_key": "S3_ACCESS_KEY_ID",
        "secret_key": "S3_SECRET_ACCESS_KEY",
        "addressing_style": "S3_ADDRESSING_STYLE",
    }
    for option, variable in optional.items():
        value = env(variable, default="")
        if value:
            options[option] = value
    return options


def build_storages(env: environ.Env, *, static_backend: str) -> dict[str, dict]:
    """Django's ``STORAGES`` for this environment (see the module docstring)."""
    storages: dict[str, dict] = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "microcred.storage.PrivateFileSystemStorage"},
        "staticfiles": {"BACKEND": static_backend},
    }
    if env("S3_BUCKET", default=""):
        storages["default"] = {
            "BACKEND": S3_BACKEND,
            "OPTIONS": _s3_options(env)
            | {"location": env("S3_MEDIA_LOCATION", default="media")},
        }
        storages["private"] = {
            "BACKEND": S3_BACKEND,
            "OPTIONS": _s3_options(env)
            | {
                "location": env("S3_PRIVATE_LOCATION", default="private"),
                "default_acl": "private",
                # Objects are streamed by checked views; never a public link.
                "querystring_expire": 60,
            },
        }
    return storages

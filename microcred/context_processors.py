from django.conf import settings

from .roles import is_instructor, is_registrar


def site(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "INSTITUTION_NAME": settings.INSTITUTION_NAME,
        "SITE_URL": settings.SITE_URL,
        "user_is_staff_role": bool(
            user
            and user.is_authenticated
            and (user.is_staff or is_instructor(user) or is_registrar(user))
        ),
        "low_bandwidth": bool(user and user.is_authenticated and user.low_bandwidth),
    }

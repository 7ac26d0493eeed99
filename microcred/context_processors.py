from django.conf import settings

from .roles import is_registrar, is_staff_member


def site(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "INSTITUTION_NAME": settings.INSTITUTION_NAME,
        "SITE_URL": settings.SITE_URL,
        "user_is_staff_role": signed_in and is_staff_member(user),
        # Staff only: a learner's page asks nothing more of the database.
        "user_is_registrar": signed_in and user.is_staff and is_registrar(user),
        "low_bandwidth": signed_in and user.low_bandwidth,
    }

import zoneinfo

from django.utils import timezone, translation


def learner_preferences(get_response):
    """Show times in the signed-in person's time zone and their language."""

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.preferred_language and "django_language" not in request.COOKIES:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return get_response(request)

    return middleware

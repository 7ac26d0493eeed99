import datetime as dt
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from courses import policies
from courses.rendering import rich_text as render_rich_text

register = template.Library()


@register.filter
def rich_text(source: str) -> SafeString:
    return render_rich_text(source)


@register.simple_tag
def days_until(deadline: dt.datetime) -> int:
    tz = timezone.get_current_timezone()
    return policies.days_left(
        deadline, now=timezone.now(), tz=zoneinfo.ZoneInfo(str(tz))
    )


@register.filter
def hours_minutes(minutes: int) -> str:
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


@register.filter
def credits(value) -> str:
    """0.50 → "0.5", 3.00 → "3": a credit value without trailing zeros."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text

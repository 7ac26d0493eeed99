from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse("")


catalog = course_detail = register = registration_confirmed = enrolment_calendar = _todo
dashboard = learn = item = item_complete = reflection_save = scenario_choose = _todo
item_preview = _todo

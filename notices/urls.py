from django.urls import path

from . import claim, views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/read/", views.mark_read, name="mark-read"),
    path("notices/preferences/", views.preferences, name="preferences"),
    path(
        "notices/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path("claim/<str:token>/", claim.claim, name="claim"),
    path(
        "staff/courses/<int:course_id>/notices/",
        views.course_notices,
        name="course",
    ),
]

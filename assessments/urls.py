from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path(
        "learn/<int:enrolment_id>/assessment/",
        views.summative_overview,
        name="summative",
    ),
    path(
        "learn/<int:enrolment_id>/assessment/start/",
        views.attempt_start,
        name="attempt-start",
    ),
    path(
        "learn/<int:enrolment_id>/checks/<int:assessment_id>/",
        views.check_page,
        name="check",
    ),
    path(
        "learn/<int:enrolment_id>/checks/<int:assessment_id>/start/",
        views.check_start,
        name="check-start",
    ),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/check/", views.check_submit, name="check-submit"),
    path(
        "attempts/<int:attempt_id>/items/<int:item_id>/answer/",
        views.answer_save,
        name="answer-save",
    ),
    path(
        "attempts/<int:attempt_id>/items/<int:item_id>/file/",
        views.answer_file,
        name="answer-file",
    ),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<int:attempt_id>/feedback/", views.feedback, name="feedback"),
    path(
        "preview/assessments/<int:assessment_id>/",
        views.assessment_preview,
        name="preview",
    ),
    path("grading/", views.grading_queue, name="queue"),
    path("grading/<int:attempt_id>/", views.grading_page, name="grade"),
    path(
        "grading/<int:attempt_id>/release/",
        views.feedback_release,
        name="release",
    ),
    path(
        "grading/<int:attempt_id>/extra-attempt/",
        views.extra_attempt_grant,
        name="extra-attempt",
    ),
]

"""The assessment endpoints of API v1, included by ``courses.api.urls`` before
its catch-all, in the ``api`` namespace (``reverse("api:attempt-detail")``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/attempts/", views.MyAttemptsView.as_view(), name="my-attempts"),
    path(
        "enrolments/<int:enrolment_id>/attempts/",
        views.AttemptStartView.as_view(),
        name="attempt-start",
    ),
    path(
        "attempts/<int:attempt_id>/",
        views.AttemptDetailView.as_view(),
        name="attempt-detail",
    ),
    path(
        "attempts/<int:attempt_id>/answers/<int:item_id>/",
        views.AnswerSaveView.as_view(),
        name="answer-save",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        views.AttemptSubmitView.as_view(),
        name="attempt-submit",
    ),
    path(
        "attempts/<int:attempt_id>/result/",
        views.AttemptResultView.as_view(),
        name="attempt-result",
    ),
    path("grading/queue/", views.GradingQueueView.as_view(), name="grading-queue"),
]

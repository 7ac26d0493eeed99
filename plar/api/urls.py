"""The PLAR endpoints of API v1, included by ``courses.api.urls`` before its
catch-all, in the ``api`` namespace (``reverse("api:plar-request-detail")``)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "me/plar-requests/",
        views.MyPlarRequestsView.as_view(),
        name="my-plar-requests",
    ),
    path(
        "plar-requests/<int:request_id>/",
        views.PlarRequestDetailView.as_view(),
        name="plar-request-detail",
    ),
    path(
        "plar-requests/<int:request_id>/review/",
        views.ReviewStartView.as_view(),
        name="plar-request-review",
    ),
    path(
        "plar-requests/<int:request_id>/decision/",
        views.DecisionView.as_view(),
        name="plar-request-decision",
    ),
    path(
        "plar/review-queue/",
        views.ReviewQueueView.as_view(),
        name="plar-review-queue",
    ),
    path("plar/appeals/", views.AppealQueueView.as_view(), name="plar-appeals"),
    path(
        "plar/appeals/<int:appeal_id>/decision/",
        views.AppealDecisionView.as_view(),
        name="plar-appeal-decision",
    ),
]

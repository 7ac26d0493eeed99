"""The bulk jobs' API addresses (in the "api" namespace of /api/v1/).

A job's id is taken as any path segment and checked by the view, so a
malformed one is API v1's JSON 404 like an unknown one (the file addresses
do not end in a slash, which the catch-all 404 needs).
"""

from django.urls import path

from . import api

urlpatterns = [
    path("bulk/jobs/", api.JobsView.as_view(), name="bulk-job-list"),
    path(
        "bulk/jobs/<str:public_id>/",
        api.JobDetailView.as_view(),
        name="bulk-job-detail",
    ),
    path(
        "bulk/jobs/<str:public_id>/start/",
        api.JobStartView.as_view(),
        name="bulk-job-start",
    ),
    path(
        "bulk/jobs/<str:public_id>/cancel/",
        api.JobCancelView.as_view(),
        name="bulk-job-cancel",
    ),
    path(
        "bulk/jobs/<str:public_id>/report.csv",
        api.JobReportView.as_view(),
        name="bulk-job-report",
    ),
    path(
        "bulk/jobs/<str:public_id>/result.csv",
        api.JobResultView.as_view(),
        name="bulk-job-result",
    ),
    path(
        "bulk/jobs/<str:public_id>/certificates.zip",
        api.JobArchiveView.as_view(),
        name="bulk-job-archive",
    ),
]

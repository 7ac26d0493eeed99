from django.urls import path

from . import revoke_views, views

app_name = "bulk"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("new/", views.new, name="new"),
    path("template.csv", views.template_csv, name="template-csv"),
    path("template.xlsx", views.template_xlsx, name="template-xlsx"),
    path("sample.csv", views.sample_csv, name="sample-csv"),
    path("<uuid:public_id>/", views.job_page, name="job"),
    path("<uuid:public_id>/status/", views.job_status, name="job-status"),
    path("<uuid:public_id>/report/", views.report, name="report"),
    path("<uuid:public_id>/start/", views.start, name="start"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/result/", views.result, name="result"),
    path("<uuid:public_id>/certificates.zip", views.archive, name="archive"),
    path("cohort/", views.cohort, name="cohort"),
    path("revoke/", revoke_views.revoke_new, name="revoke"),
    path(
        "revoke/template.csv",
        revoke_views.revoke_template_csv,
        name="revoke-template-csv",
    ),
    path("credentials/", revoke_views.credentials, name="credentials"),
]

from django.urls import path

from . import views

app_name = "plar"

urlpatterns = [
    path("plar/", views.my_requests, name="mine"),
    path("courses/<slug:slug>/plar/", views.request_start, name="start"),
    path("plar/requests/<int:request_id>/", views.request_page, name="request"),
    path(
        "plar/requests/<int:request_id>/status/",
        views.request_status,
        name="status",
    ),
    path(
        "plar/requests/<int:request_id>/statements/<int:outcome_id>/",
        views.statement_save,
        name="statement-save",
    ),
    path(
        "plar/requests/<int:request_id>/evidence/",
        views.evidence_add,
        name="evidence-add",
    ),
    path(
        "plar/requests/<int:request_id>/evidence/<int:evidence_id>/",
        views.evidence_file,
        name="evidence-file",
    ),
    path(
        "plar/requests/<int:request_id>/evidence/<int:evidence_id>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path("plar/requests/<int:request_id>/submit/", views.submit, name="submit"),
    path("plar/requests/<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
    path("plar/requests/<int:request_id>/appeal/", views.appeal, name="appeal"),
    path(
        "plar/requests/<int:request_id>/register/",
        views.full_course_register,
        name="register-full",
    ),
]

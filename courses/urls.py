from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("courses/<slug:slug>/", views.course_detail, name="detail"),
    path(
        "offerings/<int:offering_id>/register/",
        views.register,
        name="register",
    ),
    path(
        "enrolments/<int:enrolment_id>/confirmed/",
        views.registration_confirmed,
        name="confirmed",
    ),
    path(
        "enrolments/<int:enrolment_id>/calendar.ics",
        views.enrolment_calendar,
        name="calendar",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("learn/<int:enrolment_id>/", views.learn, name="learn"),
    path(
        "learn/<int:enrolment_id>/items/<int:item_id>/",
        views.item,
        name="item",
    ),
    path(
        "learn/<int:enrolment_id>/items/<int:item_id>/complete/",
        views.item_complete,
        name="item-complete",
    ),
    path(
        "learn/<int:enrolment_id>/items/<int:item_id>/reflection/",
        views.reflection_save,
        name="reflection-save",
    ),
    path(
        "learn/<int:enrolment_id>/items/<int:item_id>/choose/",
        views.scenario_choose,
        name="scenario-choose",
    ),
    path("preview/items/<int:item_id>/", views.item_preview, name="item-preview"),
]

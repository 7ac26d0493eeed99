from django.urls import path

from . import staff_views

app_name = "plar-staff"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("<int:request_id>/", staff_views.review_page, name="request"),
    path("<int:request_id>/start/", staff_views.review_start, name="start"),
    path("<int:request_id>/decide/", staff_views.decide, name="decide"),
    path("appeals/", staff_views.appeal_queue, name="appeals"),
    path("appeals/<int:appeal_id>/", staff_views.appeal_page, name="appeal"),
    path("figures/", staff_views.figures, name="figures"),
]

from django.urls import include, path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path(
        "microcredentials/",
        views.CatalogListView.as_view(),
        name="microcredential-list",
    ),
    path(
        "microcredentials/<slug:slug>/",
        views.CatalogDetailView.as_view(),
        name="microcredential-detail",
    ),
    path("me/enrolments/", views.MyEnrolmentsView.as_view(), name="my-enrolments"),
    path("enrolments/", views.RegistrationView.as_view(), name="enrolment-create"),
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    # Attempts, answers, results and the grading queue (no app_name of their
    # own: their names are in this "api" namespace).
    path("", include("assessments.api.urls")),
    path("", include("credentials.api.urls")),
    path("", include("plar.api.urls")),
    path("", include("bulk.api_urls")),
    # Last: any other address under /api/v1/ ending in a slash is a JSON 404
    # (addresses without the slash are redirected to it by CommonMiddleware).
    re_path(r"^(?:.*/)?$", views.NotFoundView.as_view(), name="not-found"),
]

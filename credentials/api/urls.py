"""The credential endpoints of API v1, included by ``courses.api.urls`` before
its catch-all, in the ``api`` namespace (``reverse("api:credential-verification")``)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "credentials/<str:credential_id>/verification",
        views.CredentialVerificationView.as_view(),
        name="credential-verification",
    ),
    # The same with a trailing slash, as the other endpoints are written (not
    # in the schema: one documented address).
    path(
        "credentials/<str:credential_id>/verification/",
        views.CredentialVerificationSlashView.as_view(),
        name="credential-verification-slash",
    ),
]

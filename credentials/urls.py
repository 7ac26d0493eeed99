from django.urls import path

from .views import documents, public

app_name = "credentials"

urlpatterns = [
    # --- machine-readable documents (lead) ---
    path(
        "credentials/status/<int:pk>",
        documents.status_list_document,
        name="status-list",
    ),
    path(
        "achievements/<int:pk>/image.png",
        documents.achievement_image,
        name="achievement-image",
    ),
    path(".well-known/did.json", documents.did_document, name="did"),
    # --- public verification pages (verification helper) ---
    path("credentials/<str:pk>", public.credential, name="credential"),
    path("achievements/<int:pk>", public.achievement, name="achievement"),
    # --- the learner's credentials, sharing, Open Badges 2.0 (learner helper) ---
]

from django.urls import path

from .views import documents, learner, ob2, public

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
    path("verify/", public.lookup, name="lookup"),
    path("verify/upload/", public.upload, name="verify-upload"),
    # --- the learner's credentials, sharing, Open Badges 2.0 (learner helper) ---
    path("me/credentials/", learner.mine, name="mine"),
    path(
        "me/credentials/<uuid:pk>/certificate.pdf",
        learner.certificate_pdf,
        name="mine-pdf",
    ),
    path("me/credentials/<uuid:pk>/badge.png", learner.badge_png, name="mine-png"),
    path(
        "me/credentials/<uuid:pk>/badge-ob2.png",
        learner.badge_ob2_png,
        name="mine-png-ob2",
    ),
    path(
        "me/credentials/<uuid:pk>/credential.json",
        learner.credential_json,
        name="mine-json",
    ),
    path(
        "me/credentials/<uuid:pk>/public-name/",
        learner.public_name,
        name="mine-public-name",
    ),
    path(
        "me/credentials/<uuid:pk>/name-correction/",
        learner.name_correction,
        name="mine-name-correction",
    ),
    path("ob2/issuer", ob2.issuer, name="ob2-issuer"),
    path("ob2/badges/<int:pk>", ob2.badge_class, name="ob2-badge"),
    path("ob2/assertions/<uuid:pk>", ob2.assertion, name="ob2-assertion"),
]

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("courses.urls")),
    path("", include("credentials.urls")),
    path("", include("plar.urls")),
    path("plar/review/", include("plar.staff_urls")),
    path("registrar/bulk/", include("bulk.urls")),
    path("", include("notices.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("staff/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("courses.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("healthz", views.healthz, name="healthz"),
]

if settings.DEBUG or not settings.MEDIA_URL.startswith("http"):
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

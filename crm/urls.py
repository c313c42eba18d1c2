from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from crm import views

admin.site.site_header = "Back office"
admin.site.site_title = "Back office"
admin.site.index_title = "Donors, gifts and the board"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("events.urls")),
    path("", include("donors.urls")),
]

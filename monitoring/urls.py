from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("reports/", views.statistical_reports, name="statistical_reports"),
]

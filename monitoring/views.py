from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def overview(request):
    """Monitoring is for coordinators and operators; an organization has nothing to watch."""
    if request.user.is_organization:
        raise PermissionDenied
    return render(request, "monitoring/overview.html")


def statistical_reports(request):
    return render(request, "monitoring/statistical_reports.html")

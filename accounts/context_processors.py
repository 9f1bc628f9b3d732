from django.conf import settings


def cabinet(request):
    """What the shell of every page needs: the support address."""
    return {"support_email": settings.SUPPORT_EMAIL}

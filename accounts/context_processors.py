from django.conf import settings

from .permissions import TemplatePermissions


def cabinet(request):
    """What the shell of every page needs: the support address and the role predicates
    (`perms_niko.monitor`, …) so templates never compare roles themselves."""
    return {
        "support_email": settings.SUPPORT_EMAIL,
        "perms_niko": TemplatePermissions(getattr(request, "user", None)),
    }

"""Recording writes that matter. Every service that changes data calls `record`."""

from django.http import HttpRequest

from core.http import client_ip

from .models import AuditEvent, Organization, User


def record(
    *,
    actor: User | None,
    action: str,
    organization: Organization | None = None,
    target: str = "",
    request: HttpRequest | None = None,
    **details,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=organization,
        action=action,
        target=target[:200],
        details=details,
        ip_address=client_ip(request),
    )

"""Recording writes that matter. Every service that changes data calls `record`."""

from django.http import HttpRequest

from .models import AuditEvent, Organization, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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

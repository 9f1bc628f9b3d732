"""Who may write the study cycle of an organization: the organization itself, while it takes
part in the study. Coordinators read; nobody writes for a school."""

from accounts.models import Organization, User
from accounts.permissions import acts_for_organization
from core.errors import AccessDenied, ServiceError
from datacollection.models import Study

from ..selectors import takes_part


class StudyError(ServiceError):
    """A refusal in the study cycle, shown to the person as is."""


NOT_YOURS = "Эти данные заполняет только сама образовательная организация."
NOT_PARTICIPATING = "Организация не участвует в этом исследовании."


def check_school_writes(*, user: User, study: Study, organization: Organization) -> None:
    if not acts_for_organization(user, organization.pk):
        raise AccessDenied(NOT_YOURS)
    if not takes_part(study, organization):
        raise AccessDenied(NOT_PARTICIPATING)

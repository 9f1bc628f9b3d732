"""One error convention: every app's service refusals derive from core.errors.ServiceError and
carry the Russian text a person reads in `message`."""

import pytest

from accounts import services as accounts_services
from accounts.importing import ImportRejected
from core.errors import ServiceError
from forum import services as forum_services
from tests.factories import OrganizationFactory


@pytest.mark.parametrize(
    "error",
    [
        forum_services.ForumError,
        forum_services.RateLimited,
        ImportRejected,
        accounts_services.TooManyOrganizations,
    ],
)
def test_service_errors_derive_from_the_one_base(error):
    assert issubclass(error, ServiceError)


def test_import_rejected_message_lists_every_error():
    rejected = ImportRejected(["Строка 2: нет логина.", "Строка 3: нет названия."])
    assert rejected.message == "Строка 2: нет логина.\nСтрока 3: нет названия."
    assert rejected.errors == ["Строка 2: нет логина.", "Строка 3: нет названия."]


def test_too_many_organizations_for_one_reset_is_refused_in_russian(db, operator, municipality):
    limit = accounts_services.MAX_ORGANIZATIONS_PER_RESET
    organizations = [OrganizationFactory(municipality=municipality) for _ in range(limit + 1)]
    with pytest.raises(accounts_services.TooManyOrganizations) as refused:
        accounts_services.organizations_password_reset(organizations=organizations, actor=operator)
    assert (
        refused.value.message
        == f"Новые пароли выдаются не больше чем {limit} организациям за один раз."
    )


def test_forum_refusals_are_forum_errors(db, org_user, operator):
    from tests.factories import ask

    question = ask(org_user)
    with pytest.raises(forum_services.ForumError) as refused:
        forum_services.question_merge(duplicate=question, original=question, actor=operator)
    assert refused.value.message == forum_services.MERGE_INTO_ITSELF

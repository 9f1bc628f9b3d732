"""One way each: file sizes (core.files.format_file_size, |file_size), pagination links (one
partial with {% querystring %}), dates (core.text), case-insensitive search (core.search)."""

from datetime import date

import pytest
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from accounts.models import Organization
from accounts.scoping import search_organizations
from core.search import filter_by_words, search_text
from core.text import date_ru
from forum.models import Question
from tests.factories import OrganizationFactory, ask


def test_file_size_filter_is_the_one_helper():
    rendered = Template("{{ a|file_size }} / {{ b|file_size }} / {{ c|file_size }}").render(
        Context({"a": 350 * 1024, "b": 3 * 2**19, "c": None})
    )
    assert rendered == "350 КБ / 1,5 МБ / "


def test_date_ru():
    assert date_ru(date(2026, 11, 21)) == "21.11.2026"


def render_pagination(number, count=10, query="?q=школа&status=new"):
    page = Paginator(list(range(count)), 1).page(number)
    request = RequestFactory().get(f"/list/{query}")
    template = Template('{% include "partials/pagination.html" %}')
    return template.render(RequestContext(request, {"page": page}))


def test_pagination_keeps_the_filters_and_offers_first_and_last():
    html = render_pagination(5)
    assert "Страница 5 из 10" in html
    for label, number in [("Первая", 1), ("Назад", 4), ("Дальше", 6), ("Последняя", 10)]:
        assert (
            f'?q=%D1%88%D0%BA%D0%BE%D0%BB%D0%B0&amp;status=new&amp;page={number}">{label}' in html
        )


def test_pagination_on_the_edges():
    first, second, last = render_pagination(1), render_pagination(2), render_pagination(10)
    assert "Назад" not in first and "Первая" not in first and "Последняя" in first
    assert "Назад" in second and "Первая" not in second
    assert "Дальше" not in last and "Последняя" not in last and "Первая" in last


def test_every_list_uses_the_one_pagination_partial():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR, "templates")
    own = [
        path.relative_to(templates)
        for path in templates.rglob("*.html")
        if "pagination" in path.read_text()
        and path.name != "pagination.html"
        and "partials/pagination.html" not in path.read_text()
    ]
    assert own == [], f"lists with their own pagination: {own}"


def test_search_folds_cyrillic_case_the_same_everywhere(db, org_user):
    question = ask(org_user, title="Сроки ПРОВЕДЕНИЯ", text="Когда Загружать протоколы?")
    assert question.search_text == search_text("Сроки ПРОВЕДЕНИЯ", "Когда Загружать протоколы?")
    found = filter_by_words(Question.objects.all(), "проведения ЗАГРУЖАТЬ")
    assert list(found) == [question]
    assert not filter_by_words(Question.objects.all(), "проведения отчет").exists()


def test_organization_search_is_case_insensitive_in_login_and_name(db, municipality):
    school = OrganizationFactory(
        municipality=municipality, login="edu479999", name="МБОУ «Лицей № 1»"
    )
    everyone = Organization.objects.all()
    assert list(search_organizations(everyone, "лицей")) == [school]
    assert list(search_organizations(everyone, "EDU479999")) == [school]
    assert search_organizations(everyone, "  ").count() == everyone.count()


def test_a_moment_shows_its_moscow_day_not_the_utc_one():
    from datetime import UTC, datetime

    from core.text import msk, msk_date

    just_after_midnight_in_moscow = datetime(2026, 11, 29, 21, 30, tzinfo=UTC)
    assert msk_date(just_after_midnight_in_moscow) == "30.11.2026"
    assert msk(just_after_midnight_in_moscow) == "30.11.2026 00:30 (МСК)"


def test_no_hand_written_moscow_dates_outside_core():
    """Dates and times reach people through core.text (or |msk): a datetime formatted by hand
    shows the UTC day between 00:00 and 03:00 МСК."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"\{[^}]*:%d\.%m\.%Y[^}]*\}")
    allowed = {"datacollection/excel/reading.py"}  # a cell's own date typed into a sheet
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for app in root.glob("*/apps.py")
        for path in app.parent.rglob("*.py")
        if "migrations" not in path.parts
        and path.relative_to(root).as_posix() not in allowed
        and path.parent.name != "core"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_an_organization_login_is_stored_lower_case_and_searched_as_stored(db, municipality):
    """The search compares logins as stored (folding 45,000 of them is what a search matching
    all of them cost), which is right only because no login can be stored otherwise."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    school = OrganizationFactory(municipality=municipality, login="edu479998")
    query = str(search_organizations(Organization.objects.all(), "EDU4799").query)
    assert 'LOWER("accounts_organization"."login")' not in query
    assert list(search_organizations(Organization.objects.all(), "Edu4799")) == [school]

    upper = Organization(
        login="EDU479997", name="Школа", region=school.region, municipality=municipality
    )
    with pytest.raises(ValidationError) as refused:
        upper.validate_constraints()
    assert "строчными" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        upper.save()
    assert not Organization.objects.filter(login__iexact="edu479997").exists()


def test_the_search_indexes_are_on_the_login_and_the_stored_folded_name(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'accounts_organization' AND indexdef LIKE '%%gin_trgm_ops%%' ORDER BY indexname"
        )
        found = dict(cursor.fetchall())
    assert "USING gin (login gin_trgm_ops)" in found["accounts_organization_login_trgm"]
    assert "USING gin (name_folded gin_trgm_ops)" in found["accounts_organization_name_trgm"]


def test_organizations_have_a_covering_index_of_id_and_login_on_postgresql(db):
    """accounts migration 0007: a list sorted by a report's date under a status filter looks up
    each report's organization for its login by this index alone (PostgreSQL; SQLite has no
    INCLUDE and gets nothing)."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "accounts_organization")
    found = indexes.get("accounts_organization_id_login")
    if connection.vendor == "postgresql":
        assert found is not None and found["index"] and not found["unique"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_organization_id_login'"
            )
            assert cursor.fetchone()[0].endswith("USING btree (id) INCLUDE (login)")
    else:
        assert found is None

"""Screen-reader text of counts agrees with the number in Russian («3 новых ответа»)."""

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "1 новый ответ"),
        (3, "3 новых ответа"),
        (5, "5 новых ответов"),
        (11, "11 новых ответов"),
        (21, "21 новый ответ"),
        (22, "22 новых ответа"),
    ],
)
def test_plural_filter_gives_the_number_and_its_form(count, text):
    template = Template('{{ n|plural:"новый ответ,новых ответа,новых ответов" }}')
    assert template.render(Context({"n": count})) == text


@pytest.mark.parametrize(
    ("count", "text"), [(1, ": 1 новый ответ"), (3, ": 3 новых ответа"), (7, ": 7 новых ответов")]
)
def test_forum_badge_reads_a_grammatical_count(count, text, org_user):
    request = RequestFactory().get("/forum/")
    request.resolver_match = resolve("/forum/")
    request.user = org_user
    html = render_to_string(
        "partials/section_nav.html", {"forum_unread_answers": count, "perms_niko": {}}, request
    )
    assert f'<span class="visually-hidden">{text}</span>' in html

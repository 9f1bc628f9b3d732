"""Forum pages: lists, search, the thread, the ask form with «Проверить похожие», downloads,
the counter in the top bar and the number of queries each list costs."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forum import services
from forum.models import Message, Question
from tests.factories import (
    PNG_BYTES,
    OrganizationFactory,
    OrganizationUserFactory,
    answered,
    ask,
    category,
    faq_entry,
)

pytestmark = pytest.mark.django_db

LIST = reverse("forum:question_list")
FAQ = reverse("forum:faq")
ASK = reverse("forum:ask")
QUEUE = reverse("forum:queue")


def detail(question):
    return reverse("forum:question_detail", args=[question.pk])


def titles(response):
    return [question.title for question in response.context["page"]]


# Lists and search ----------------------------------------------------------------------------


def test_the_list_shows_the_organizations_threads_with_status(as_user, org_user, regional):
    answered(org_user, regional, title="Отвеченный вопрос")
    ask(org_user, title="Новый вопрос")
    response = as_user(org_user).get(LIST)
    assert titles(response) == ["Новый вопрос", "Отвеченный вопрос"]
    content = response.content.decode()
    assert "Форум поддержки НИКО" in content
    assert "Новый ответ" in content and "Отвечен" in content
    assert reverse("forum:ask") in content


def test_search_never_finds_another_organizations_question(as_user, org_user, other_org_user):
    ask(org_user, title="Протокол проведения", text="Где взять бланк?")
    ask(other_org_user, title="Секретный протокол", text="Только для нас")
    client = as_user(org_user)
    assert titles(client.get(LIST, {"q": "протокол"})) == ["Протокол проведения"]
    assert titles(client.get(LIST, {"q": "секретный"})) == []
    assert titles(client.get(FAQ, {"q": "секретный"})) == []
    similar = client.get(reverse("forum:similar"), {"title": "Секретный протокол"}).json()
    assert similar == {"results": []}


def test_filter_by_category_and_status(as_user, org_user, regional):
    technical = category("Технические вопросы")
    ask(org_user, title="Технический", category=technical)
    answered(org_user, regional, title="Организационный отвеченный")
    client = as_user(regional)
    assert titles(client.get(LIST, {"category": technical.pk})) == ["Технический"]
    assert titles(client.get(LIST, {"status": "answered"})) == ["Организационный отвеченный"]
    assert titles(client.get(LIST, {"status": "closed"})) == []


def test_queue_for_answerers_oldest_first(as_user, regional, org_user, municipal):
    ask(org_user, title="Первый")
    ask(org_user, title="Второй")
    response = as_user(regional).get(QUEUE)
    assert titles(response) == ["Первый", "Второй"]
    assert as_user(regional).get(LIST).context["queue_count"] == 2
    assert as_user(municipal).get(QUEUE).status_code == HTTPStatus.FORBIDDEN


def test_faq_page_is_read_by_every_role(as_user, users_by_role, other_org_user, operator):
    entry = faq_entry(other_org_user, operator, title="Как заполнить протокол")
    for role in ["operator", "regional", "municipal", "organization"]:
        response = as_user(users_by_role[role]).get(FAQ)
        assert titles(response) == ["Как заполнить протокол"], role
        assert "Ответ координатора" in response.content.decode()
    # From the FAQ, the thread itself opens for everyone.
    assert as_user(users_by_role["organization"]).get(detail(entry)).status_code == 200


# A thread ------------------------------------------------------------------------------------


def test_another_organizations_thread_is_404(as_user, org_user, other_org_user, regional):
    private = ask(other_org_user, title="Чужой")
    client = as_user(org_user)
    assert client.get(detail(private)).status_code == HTTPStatus.NOT_FOUND
    response = client.post(reverse("forum:question_reply", args=[private.pk]), {"text": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert as_user(regional).get(detail(private)).status_code == HTTPStatus.NOT_FOUND


def test_script_in_a_question_is_shown_as_text(as_user, org_user):
    question = ask(org_user, title="<b>Тема</b>", text="<script>alert('x')</script>")
    content = as_user(org_user).get(detail(question)).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content
    assert "<b>Тема</b>" not in content


def test_regional_answers_and_the_asker_reads_it(
    as_user, org_user, regional, django_capture_on_commit_callbacks
):
    org_user.email = "school@example.ru"
    org_user.save()
    question = ask(org_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(regional).post(
            reverse("forum:question_reply", args=[question.pk]), {"text": "Вот ответ"}
        )
    assert response.status_code == HTTPStatus.FOUND
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert len(mail.outbox) == 1

    client = as_user(org_user)
    assert 'data-testid="forum-unread"' in client.get(LIST).content.decode()
    page = client.get(detail(question)).content.decode()
    assert "Вот ответ" in page
    # Having opened the thread, the counter is gone.
    assert 'data-testid="forum-unread"' not in client.get(LIST).content.decode()


def test_the_asker_follows_up_and_the_thread_is_new_again(as_user, org_user, regional):
    question = answered(org_user, regional)
    response = as_user(org_user).post(
        reverse("forum:question_reply", args=[question.pk]), {"text": "Уточняю"}
    )
    assert response.status_code == HTTPStatus.FOUND
    question.refresh_from_db()
    assert question.status == Question.Status.NEW


def test_municipal_coordinator_reads_but_cannot_post(as_user, org_user, municipal):
    question = ask(org_user)
    client = as_user(municipal)
    page = client.get(detail(question)).content.decode()
    assert "без возможности отвечать" in page
    assert reverse("forum:question_reply", args=[question.pk]) not in page
    response = client.post(reverse("forum:question_reply", args=[question.pk]), {"text": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Message.objects.exists()


def test_follow_up_flood_shows_the_message_and_saves_nothing(as_user, org_user, regional, settings):
    settings.FORUM_MESSAGES_PER_HOUR = 1
    question = answered(org_user, regional)
    client = as_user(org_user)
    url = reverse("forum:question_reply", args=[question.pk])
    client.post(url, {"text": "Первое"})
    response = client.post(url, {"text": "Второе"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert services.MESSAGES_RATE_LIMITED.format(limit=1) in response.content.decode()
    assert not Message.objects.filter(text="Второе").exists()


def test_operator_moves_merges_and_publishes(as_user, operator, org_user, other_org_user):
    original = answered(other_org_user, operator, title="Исходный")
    duplicate = ask(org_user, title="Дубликат")
    client = as_user(operator)
    technical = category("Технические вопросы")
    client.post(reverse("forum:question_move", args=[duplicate.pk]), {"category": technical.pk})
    client.post(reverse("forum:question_merge", args=[duplicate.pk]), {"original": original.pk})
    client.post(reverse("forum:question_faq", args=[original.pk]), {"published": "1"})
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.category == technical
    assert duplicate.merged_into == original
    assert original.is_published_to_faq

    # The operator's page of the duplicate links the original ...
    page = client.get(detail(duplicate)).content.decode()
    assert detail(original) in page
    # ... and the asker, who now may open the published original, sees it and its answer.
    asker_page = as_user(org_user).get(detail(duplicate)).content.decode()
    assert "объединен с вопросом" in asker_page
    assert "Ответ координатора" in asker_page


def test_merge_into_a_missing_question_says_so(as_user, operator, org_user):
    question = ask(org_user)
    response = as_user(operator).post(
        reverse("forum:question_merge", args=[question.pk]), {"original": 999999}, follow=True
    )
    assert "Вопрос с таким номером не найден." in response.content.decode()


# Asking --------------------------------------------------------------------------------------


def test_preview_shows_similar_faq_and_saves_nothing(as_user, org_user, operator):
    faq_entry(org_user, operator, title="Где скачать материалы для проведения НИКО?")
    data = {
        "category": category().pk,
        "title": "Не могу скачать материалы",
        "text": "Подскажите",
        "preview": "1",
    }
    response = as_user(org_user).post(ASK, data)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Где скачать материалы для проведения НИКО?" in content
    assert "Если ответ нашелся" in content
    assert Question.objects.count() == 1


def test_send_saves_with_a_screenshot_and_opens_the_thread(as_user, org_user):
    screenshot = SimpleUploadedFile("экран.png", PNG_BYTES, content_type="image/png")
    response = as_user(org_user).post(
        ASK,
        {
            "category": category().pk,
            "title": "Ошибка при сохранении",
            "text": "См. скриншот",
            "attachment": screenshot,
            "send": "1",
        },
    )
    question = Question.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == detail(question)
    assert question.attachment_name == "экран.png"
    assert not question.attachment.url.startswith("/forum/")  # stored outside any URL


def test_ask_flood_is_refused_with_the_message(as_user, org_user, settings):
    settings.FORUM_QUESTIONS_PER_HOUR = 1
    ask(org_user)
    data = {"category": category().pk, "title": "Еще", "text": "Еще", "send": "1"}
    response = as_user(org_user).post(ASK, data)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert services.QUESTIONS_RATE_LIMITED.format(limit=1) in response.content.decode()
    assert Question.objects.count() == 1


def test_a_wrong_file_type_is_refused(as_user, org_user):
    bad = SimpleUploadedFile("вирус.exe", b"MZ", content_type="application/octet-stream")
    response = as_user(org_user).post(
        ASK,
        {"category": category().pk, "title": "x", "text": "y", "attachment": bad, "send": "1"},
    )
    assert "допустимые типы" in response.content.decode()
    assert not Question.objects.exists()


# Attachments -----------------------------------------------------------------------------------


def test_attachment_is_served_only_to_those_who_see_the_question(
    as_user, org_user, regional, other_org_user, other_regional
):
    screenshot = SimpleUploadedFile("экран.png", PNG_BYTES, content_type="image/png")
    question = ask(org_user, attachment=screenshot)
    url = reverse("forum:question_attachment", args=[question.pk])
    response = as_user(regional).get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    inline = as_user(org_user).get(url, {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["Content-Type"] == "image/png"
    for stranger in [other_org_user, other_regional]:
        assert as_user(stranger).get(url).status_code == HTTPStatus.NOT_FOUND


# Query counts ----------------------------------------------------------------------------------


@pytest.fixture
def no_rate_limit(settings):
    settings.FORUM_QUESTIONS_PER_HOUR = 1000


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_constant_for_an_organization(
    as_user, org_user, regional, count, django_assert_num_queries, no_rate_limit
):
    for number in range(count):
        question = ask(org_user, title=f"Вопрос {number}")
        if number % 2:
            services.question_answer(question=question, author=regional, text="Ответ")
    client = as_user(org_user)
    # 1 session, 2 user, 3 categories for the filter, 4 paginator count, 5 the page of
    # questions with category, organization and the unread flag (join + EXISTS), 6 the
    # unread counter next to «Форум», 7 the bell's unread notifications.
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert len(response.context["page"]) == min(count, 20)


@pytest.mark.parametrize("count", [3, 30])
def test_list_and_queue_query_counts_are_constant_for_a_coordinator(
    as_user, regional, municipality, count, django_assert_num_queries, no_rate_limit
):
    organizations = [OrganizationFactory(municipality=municipality) for _ in range(3)]
    for number in range(count):
        ask(organization=organizations[number % 3], title=f"Вопрос {number}")
    client = as_user(regional)
    # 1 session, 2 user, 3 categories, 4 paginator count, 5 the page of questions,
    # 6 the number waiting in the queue, 7 the bell. No forum counter: coordinators do not ask.
    with django_assert_num_queries(7):
        client.get(LIST)
    # 1 session, 2 user, 3 paginator count, 4 the page of the queue, 5 the bell.
    with django_assert_num_queries(5):
        client.get(QUEUE)


@pytest.mark.parametrize("count", [3, 30])
def test_faq_query_count_is_constant(
    as_user, org_user, operator, count, django_assert_num_queries, no_rate_limit
):
    author = OrganizationUserFactory()
    for number in range(count):
        faq_entry(author, operator, title=f"Вопрос {number}")
    client = as_user(org_user)
    # 1 session, 2 user, 3 paginator count, 4 the page of entries with categories,
    # 5 their answers (prefetch), 6 the unread counter, 7 the bell's unread notifications.
    with django_assert_num_queries(7):
        client.get(FAQ)


def test_no_counter_query_for_anonymous_pages(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(reverse("accounts:login"))

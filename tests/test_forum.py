"""«Форум поддержки НИКО»: who sees which thread, and the writes (ask, answer, follow-up,
close, move, merge, FAQ), with their rules, audit rows, notifications and flood limits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from accounts.models import AuditEvent
from forum import selectors, services
from forum.models import Message, Question
from forum.rendering import render_text
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    OrganizationUserFactory,
    answered,
    ask,
    category,
    faq_entry,
)

pytestmark = pytest.mark.django_db

# Helpers (also used by the other forum tests and the URL walk): questions are asked through
# the service, as the cabinet does, so derived fields are what production would store.


def visible(user):
    return set(selectors.questions_visible_to(user).values_list("pk", flat=True))


def in_scope(user):
    return set(selectors.questions_in_scope(user).values_list("pk", flat=True))


@pytest.fixture
def questions(org_user, org_same_municipality, org_other_municipality, other_org_user):
    """One private question per organization of the world."""
    return {
        "own": ask(org_user),
        "same_municipality": ask(organization=org_same_municipality),
        "other_municipality": ask(organization=org_other_municipality),
        "other_region": ask(other_org_user),
    }


# Who sees which thread -----------------------------------------------------------------------


def test_an_organization_sees_its_own_questions_only(questions, org_user, org):
    colleague = OrganizationUserFactory(organization=org, username="edu470001-2")
    colleagues_question = ask(colleague)
    assert visible(org_user) == {questions["own"].pk, colleagues_question.pk}
    for key in ["same_municipality", "other_municipality", "other_region"]:
        with pytest.raises(Http404):
            selectors.question_for_user_or_404(org_user, questions[key].pk)


def test_a_published_faq_entry_is_seen_by_everyone_but_not_listed_as_their_thread(
    questions, operator, org_user, other_org_user, municipal
):
    entry = faq_entry(other_org_user, operator, title="Общий вопрос")
    for user in [org_user, municipal]:
        assert entry.pk in visible(user)
        assert entry.pk not in in_scope(user)
        assert selectors.question_for_user_or_404(user, entry.pk) == entry


def test_a_regional_coordinator_sees_its_region(questions, regional, other_regional):
    region_47 = {questions[k].pk for k in ["own", "same_municipality", "other_municipality"]}
    assert visible(regional) == region_47
    assert visible(other_regional) == {questions["other_region"].pk}


def test_a_municipal_coordinator_sees_its_municipality_read_only(questions, municipal):
    assert visible(municipal) == {questions["own"].pk, questions["same_municipality"].pk}
    question = selectors.question_for_user_or_404(municipal, questions["own"].pk)
    assert not selectors.can_answer(municipal, question)
    assert not selectors.can_close(municipal, question)
    with pytest.raises(PermissionDenied):
        services.question_answer(question=question, author=municipal, text="Ответ")


def test_the_operator_sees_everything(questions, operator):
    assert visible(operator) == {q.pk for q in questions.values()}


def test_anonymous_sees_nothing(questions, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


def test_a_coordinator_of_another_region_cannot_answer(questions, other_regional):
    with pytest.raises(PermissionDenied):
        services.question_answer(
            question=questions["own"], author=other_regional, text="Не мой регион"
        )


# Asking -------------------------------------------------------------------------------------


def test_ask_stores_sanitized_text_and_an_audit_row(org_user, org):
    question = ask(
        org_user,
        title="Скрипт",
        text='<script>alert("x")</script> <img src=x onerror=alert(1)> см. https://fioco.ru',
    )
    assert question.organization == org
    assert question.status == Question.Status.NEW
    assert "<script" not in question.text_html and "<img" not in question.text_html
    assert "&lt;script&gt;" in question.text_html
    assert 'rel="nofollow noopener noreferrer"' in question.text_html
    event = AuditEvent.objects.get(action="forum.question_asked")
    assert event.actor == org_user and event.organization == org


def test_only_organizations_ask(regional):
    with pytest.raises(PermissionDenied):
        ask(regional)


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ('<a href="javascript:alert(1)">x</a>', "<a href"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ('"><svg onload=alert(1)>', "<svg"),
        ("javascript:alert(1)", "<a"),
    ],
)
def test_no_markup_or_unsafe_link_survives(source, forbidden):
    assert forbidden not in render_text(source)


def test_links_are_made_safe_and_lines_kept():
    html = render_text(
        "Строка 1\nhttp://example.com/a?b=1&c=2\n\nАбзац 2, mailto helpfisoko@fioco.ru"
    )
    assert html.startswith("<p>Строка 1<br>")
    assert 'href="http://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:helpfisoko@fioco.ru"' in html
    assert html.count("<p>") == 2


def test_attachment_limits(org_user, settings):
    settings.FORUM_ATTACHMENT_MAX_SIZE = 100
    png = SimpleUploadedFile("Скриншот.png", PNG_BYTES, content_type="image/png")
    question = ask(org_user, attachment=png)
    assert question.attachment_name == "Скриншот.png"
    with pytest.raises(ValidationError, match="допустимые типы"):
        ask(org_user, attachment=SimpleUploadedFile("page.html", b"<html>"))
    with pytest.raises(ValidationError, match="больше допустимого"):
        ask(org_user, attachment=SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200))
    with pytest.raises(ValidationError, match="не похоже на изображение"):
        ask(org_user, attachment=SimpleUploadedFile("fake.png", b"<script>alert(1)</script>"))
    assert Question.objects.count() == 1


def test_question_rate_limit_saves_nothing(org_user, settings):
    settings.FORUM_QUESTIONS_PER_HOUR = 3
    for _ in range(3):
        ask(org_user)
    with pytest.raises(services.RateLimited) as error:
        ask(org_user, title="Четвертый")
    assert str(error.value) == services.QUESTIONS_RATE_LIMITED.format(limit=3)
    assert Question.objects.count() == 3
    assert not Question.objects.filter(title="Четвертый").exists()
    # An hour later the limit no longer counts them.
    Question.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    ask(org_user, title="Через час")


def test_follow_up_rate_limit_saves_nothing(org_user, regional, settings):
    settings.FORUM_MESSAGES_PER_HOUR = 2
    question = answered(org_user, regional)
    for _ in range(2):
        services.question_follow_up(question=question, author=org_user, text="Еще")
    with pytest.raises(services.RateLimited, match="не больше 2"):
        services.question_follow_up(question=question, author=org_user, text="Флуд")
    assert not Message.objects.filter(text="Флуд").exists()


# Answering, reopening, closing ---------------------------------------------------------------


def test_answer_marks_answered_and_emails_the_asker_through_the_task(
    org_user, regional, django_capture_on_commit_callbacks
):
    org_user.email = "school@example.ru"
    org_user.save()
    question = ask(org_user, title="Где протокол?")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.question_answer(question=question, author=regional, text="В разделе «НИКО».")
    assert len(callbacks) == 1
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.last_answered_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["school@example.ru"]
    assert f"Ответ на вопрос № {question.pk} «Где протокол?»" in email.subject
    assert "В разделе «НИКО»." in email.body
    assert f"http://127.0.0.1:8000/forum/{question.pk}/" in email.body
    assert AuditEvent.objects.filter(action="forum.question_answered", actor=regional).exists()


def test_no_email_before_the_answer_is_committed(org_user, regional):
    question = ask(org_user)
    org_user.email = "school@example.ru"
    org_user.save()
    services.question_answer(question=question, author=regional, text="Ответ")
    # The test transaction never commits: the task was not enqueued.
    assert mail.outbox == []


def test_the_organizations_address_is_used_when_the_user_has_none(
    org_user, org, operator, django_capture_on_commit_callbacks
):
    org.email = "school-office@example.ru"
    org.save()
    question = ask(org_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=question, author=operator, text="Ответ")
    assert mail.outbox[0].to == ["school-office@example.ru"]


def test_a_follow_up_reopens_the_thread(org_user, regional):
    question = answered(org_user, regional)
    services.question_follow_up(question=question, author=org_user, text="А если…")
    question.refresh_from_db()
    assert question.status == Question.Status.NEW
    assert question in selectors.unanswered_queue(regional)
    event = AuditEvent.objects.get(action="forum.question_followed_up")
    assert event.details["reopened"] is True


def test_only_the_asking_organization_follows_up(org_user, regional, org_same_municipality):
    question = ask(org_user)
    stranger = OrganizationUserFactory(organization=org_same_municipality)
    with pytest.raises(PermissionDenied):
        services.question_follow_up(question=question, author=stranger, text="Чужой")
    with pytest.raises(PermissionDenied):
        services.question_follow_up(question=question, author=regional, text="Не тот путь")


def test_close_and_reopen(org_user, regional):
    question = answered(org_user, regional)
    services.question_close(question=question, actor=org_user)
    assert question.status == Question.Status.CLOSED
    services.question_follow_up(question=question, author=org_user, text="Снова вопрос")
    assert question.status == Question.Status.NEW


def test_queue_is_unanswered_oldest_first(org_user, regional, operator, other_org_user):
    newer = ask(org_user, title="Новее")
    older = ask(org_user, title="Старше")
    Question.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    answered(org_user, regional, title="Отвеченный")
    other = ask(other_org_user, title="Другой регион")
    assert list(selectors.unanswered_queue(regional)) == [older, newer]
    assert list(selectors.unanswered_queue(operator)) == [older, newer, other]


# Operator: move, merge, FAQ -----------------------------------------------------------------


def test_move_to_another_category(org_user, operator, regional):
    question = ask(org_user)
    technical = category("Технические вопросы")
    with pytest.raises(PermissionDenied):
        services.question_move(question=question, category=technical, actor=regional)
    services.question_move(question=question, category=technical, actor=operator)
    question.refresh_from_db()
    assert question.category == technical
    event = AuditEvent.objects.get(action="forum.question_moved")
    assert event.details == {
        "category_from": "Организационные вопросы",
        "category_to": "Технические вопросы",
    }


def test_merge_links_the_duplicate_and_shows_the_originals_answer(
    org_user, other_org_user, operator, django_capture_on_commit_callbacks
):
    original = answered(other_org_user, operator, title="Исходный")
    org_user.email = "school@example.ru"
    org_user.save()
    duplicate = ask(org_user, title="Тот же вопрос")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_merge(duplicate=duplicate, original=original, actor=operator)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
    assert duplicate.status == Question.Status.CLOSED
    # The asker cannot open the original, but reads its answer on the duplicate's page.
    shown_original, answers = selectors.original_answers(org_user, duplicate)
    assert shown_original is None
    assert [a.text for a in answers] == ["Ответ координатора"]
    assert selectors.unread_answer_count(org_user) == 1
    assert mail.outbox[0].to == ["school@example.ru"]
    assert not selectors.can_follow_up(org_user, duplicate)


def test_an_answer_to_the_original_reaches_the_duplicates_asker(
    org_user, org_same_municipality, regional, operator, django_capture_on_commit_callbacks
):
    org_user.email = "first@example.ru"
    org_user.save()
    original = ask(org_user)
    second = OrganizationUserFactory(organization=org_same_municipality, email="second@ex.ru")
    duplicate = ask(second)
    services.question_merge(duplicate=duplicate, original=original, actor=operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=original, author=regional, text="Ответ")
    assert sorted(email.to[0] for email in mail.outbox) == ["first@example.ru", "second@ex.ru"]
    assert selectors.unread_answer_count(second) == 1


def test_merge_rules(org_user, operator, regional):
    first, second, third = ask(org_user), ask(org_user), ask(org_user)
    with pytest.raises(PermissionDenied):
        services.question_merge(duplicate=second, original=first, actor=regional)
    with pytest.raises(services.ForumError, match="с самим собой"):
        services.question_merge(duplicate=first, original=first, actor=operator)
    services.question_merge(duplicate=second, original=first, actor=operator)
    with pytest.raises(services.ForumError, match="сам объединен"):
        services.question_merge(duplicate=third, original=second, actor=operator)
    # Merging the original elsewhere takes its duplicates along.
    services.question_merge(duplicate=first, original=third, actor=operator)
    second.refresh_from_db()
    assert second.merged_into == third


def test_publish_to_faq_needs_an_answer_and_the_operator(org_user, operator, regional):
    question = ask(org_user)
    with pytest.raises(services.ForumError, match="только вопрос с ответом"):
        services.question_set_faq(question=question, published=True, actor=operator)
    services.question_answer(question=question, author=regional, text="Ответ")
    with pytest.raises(PermissionDenied):
        services.question_set_faq(question=question, published=True, actor=regional)
    services.question_set_faq(question=question, published=True, actor=operator)
    assert question.is_published_to_faq and question.faq_published_at
    assert list(selectors.faq_list(org_user)) == [question]
    services.question_set_faq(question=question, published=False, actor=operator)
    assert list(selectors.faq_list(org_user)) == []
    assert AuditEvent.objects.filter(action__startswith="forum.faq_").count() == 2


def test_faq_search_covers_questions_and_answers(org_user, operator):
    faq_entry(org_user, operator, title="Аудитории", text="Сколько компьютеров нужно?")
    entry = Question.objects.get()
    services.question_answer(question=entry, author=operator, text="Один ПК на ПРОТОКОЛ")
    faq_entry(org_user, operator, title="Материалы", text="Где архив?")

    def titles(q):
        return [question.title for question in selectors.faq_list(org_user, q=q)]

    assert titles("компьютеров") == ["Аудитории"]
    assert titles("протокол") == ["Аудитории"]  # a word of the answer, any case
    assert titles("архив материалы") == ["Материалы"]
    assert titles("ничего") == []


def test_similar_faq_finds_published_questions_by_title_words(org_user, operator):
    faq_entry(org_user, operator, title="Где скачать материалы для проведения?")
    faq_entry(org_user, operator, title="Как распределить участников по аудиториям")
    ask(org_user, title="Где скачать материалы, не опубликованный")
    found = selectors.similar_faq(org_user, "скачать материалы")
    assert [q.title for q in found] == ["Где скачать материалы для проведения?"]
    assert selectors.similar_faq(org_user, "в по на") == []


# The unread counter -------------------------------------------------------------------------


def test_unread_counter_follows_answers_and_reading(org_user, org, regional):
    question = answered(org_user, regional)
    ask(org_user)  # unanswered: not counted
    colleague = OrganizationUserFactory(organization=org, username="edu470001-2")
    assert selectors.unread_answer_count(org_user) == 1
    assert selectors.unread_answer_count(colleague) == 1
    assert selectors.unread_answer_count(regional) == 0
    services.question_mark_read(question=question, user=org_user)
    assert selectors.unread_answer_count(org_user) == 0
    assert selectors.unread_answer_count(colleague) == 1  # per user
    Question.objects.filter(pk=question.pk).update(last_answered_at=timezone.now())
    assert selectors.unread_answer_count(org_user) == 1  # a newer answer

"""Two writes to one forum question at the same moment (a follow-up from the school and a close
from the coordinator, a double click, a move or a merge by the operator) never deadlock: every
forum write locks the question(s) first, in the order of their numbers, and the author's row
only with a no-key lock, which the audit row's foreign key check does not wait for.

Needs PostgreSQL (DATABASE_URL); on SQLite writes are serialized by the file lock."""

import contextlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from forum import services
from forum.models import Category, Question
from tests.factories import ask, category, run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]

ROUNDS = 12


@pytest.fixture(autouse=True)
def categories(db):
    # Transactional tests start from an empty database: the migration's categories are gone.
    for name in ("Организационные вопросы", "Технические вопросы"):
        Category.objects.get_or_create(name=name)


def fresh(pk):
    return Question.objects.select_related("organization", "category").get(pk=pk)


def repeat(action):
    def run():
        for _ in range(ROUNDS):
            action()

    return run


@pytest.mark.parametrize("closer", ["org_user", "regional"])
def test_follow_up_and_close_at_once_do_not_deadlock(org_user, regional, closer):
    """The school follows up in one tab and closes in another (or its coordinator closes)."""
    question = ask(org_user)
    actor = {"org_user": org_user, "regional": regional}[closer]

    def follow_up():
        services.question_follow_up(question=fresh(question.pk), author=org_user, text="Еще")

    def close():
        current = fresh(question.pk)
        if current.status != Question.Status.CLOSED:
            services.question_close(question=current, actor=actor)

    run_in_threads(repeat(follow_up), repeat(close))
    assert question.messages.count() == ROUNDS


def test_answer_follow_up_and_double_click_close_at_once(org_user, regional):
    question = ask(org_user)

    def answer():
        services.question_answer(question=fresh(question.pk), author=regional, text="Ответ")

    def follow_up():
        services.question_follow_up(question=fresh(question.pk), author=org_user, text="Еще")

    def close(actor):
        def run():
            services.question_close(question=fresh(question.pk), actor=actor)

        return run

    run_in_threads(
        repeat(answer), repeat(follow_up), repeat(close(org_user)), repeat(close(regional))
    )
    assert question.messages.count() == 2 * ROUNDS


def test_move_merge_and_replies_at_once(org_user, regional, operator):
    first, second = ask(org_user, title="Первый"), ask(org_user, title="Второй")
    other = category("Вопросы о сроках")  # a second category, whatever earlier tests left

    def move():
        for target in (other, category()):
            services.question_move(question=fresh(first.pk), category=target, actor=operator)

    def merge(duplicate_pk, original_pk):
        # A→B and B→A at once would lock the two questions in opposite orders. The one that
        # comes second is refused (merged the other way a moment ago), not deadlocked.
        def run():
            with contextlib.suppress(services.ForumError):
                services.question_merge(
                    duplicate=fresh(duplicate_pk), original=fresh(original_pk), actor=operator
                )

        return run

    def reply():
        for pk in (first.pk, second.pk):
            # Merged between the read and the write: the follow-up is refused, as it should be.
            with contextlib.suppress(PermissionDenied):
                question = fresh(pk)
                if not question.merged_into_id:
                    services.question_follow_up(question=question, author=org_user, text="Еще")

    run_in_threads(move, merge(second.pk, first.pk), merge(first.pk, second.pk), repeat(reply))
    merged = Question.objects.filter(pk__in=[first.pk, second.pk], merged_into__isnull=False)
    assert merged.count() == 1

"""Demo questions of region 47: edu470001 asks, reg470000 answers, and two of the answers are
published to «Часто задаваемые вопросы». Idempotent: a question is found by its organization
and title, so a second run changes nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import services
from .models import Category, Message, Question

# (category, title, text, answer or None, publish to the FAQ, days ago)
DEMO_QUESTIONS = [
    (
        "Организационные вопросы",
        "Можно ли провести НИКО в два дня для разных классов?",
        "В школе три восьмых класса и только два кабинета с компьютерами. Можно ли провести "
        "исследование для 8«В» на следующий день?",
        "Да, если оба дня входят в период проведения, установленный графиком. Распределите "
        "участников по аудиториям в форме «Распределение участников по аудиториям» и укажите "
        "фактическую дату в протоколе проведения НИКО в ОО.",
        True,
        12,
    ),
    (
        "Технические вопросы",
        "Где скачать материалы для проведения НИКО?",
        "Не можем найти архив с материалами для участников. Подскажите, в каком разделе он?",
        "Материалы публикуются в разделе «НИКО» → «Публикации» в день, указанный в графике. "
        "Нажмите на название публикации и скачайте архив. Инструкция: "
        "https://fioco.ru/ru/osoko/vpr/",
        True,
        9,
    ),
    (
        "Сбор данных",
        "Как указать участника, который отсутствовал?",
        "Один ученик заболел в день проведения. Что ставить в форме результатов?",
        "В форме результатов для такого участника выберите в строке отметку «отсутствовал»; "
        "баллы за задания не заполняйте.",
        False,
        5,
    ),
    (
        "Сбор данных",
        "Не сохраняется таблица анкеты",
        "При заполнении анкеты после ввода значения появляется красная рамка. Что это значит?",
        None,
        False,
        1,
    ),
]


@transaction.atomic
def seed(*, stdout) -> None:
    try:
        asker = User.objects.get(username="edu470001")
        answerer = User.objects.get(username="reg470000")
        operator = User.objects.get(username="admin")
    except User.DoesNotExist:
        stdout.write("Форум: нет демонстрационных пользователей, вопросы не созданы.")
        return
    categories = {category.name: category for category in Category.objects.all()}
    created = 0
    now = timezone.now()
    for category, title, text, answer, publish, days_ago in DEMO_QUESTIONS:
        if Question.objects.filter(organization=asker.organization, title=title).exists():
            continue
        question = services.question_ask(
            author=asker, category=categories[category], title=title, text=text
        )
        asked_at = now - timedelta(days=days_ago, hours=3)
        Question.objects.filter(pk=question.pk).update(created_at=asked_at)
        if answer:
            message = services.question_answer(question=question, author=answerer, text=answer)
            answered_at = asked_at + timedelta(hours=20)
            Message.objects.filter(pk=message.pk).update(created_at=answered_at)
            Question.objects.filter(pk=question.pk).update(last_answered_at=answered_at)
        if publish:
            services.question_set_faq(question=question, published=True, actor=operator)
        created += 1
    stdout.write(f"Форум: вопросов добавлено — {created}.")

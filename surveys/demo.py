"""Demo questionnaires (a `seed_demo` step, idempotent): a pupil, a teacher and a school
questionnaire of the demo study, built from definitions through the import service as the
operator would, and some sent answers — edu470001 has enough teachers' answers to see its own
summary; pupils answer in a school that has participant codes."""

import random
from datetime import timedelta

from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from datacollection.models import Study
from studies.models import ParticipantCode

from . import services
from .models import AccessCode, Question, Questionnaire, Respondent

AGREE = ["Совсем не согласен", "Скорее не согласен", "Скорее согласен", "Полностью согласен"]

DEFINITIONS = {
    Respondent.PUPIL: {
        "code": "niko2026_pupil",
        "title": "Анкета обучающегося",
        "respondent": Respondent.PUPIL,
        "intro": "Ответь, пожалуйста, на вопросы о себе и о школе. Правильных и неправильных "
        "ответов нет. Фамилию писать не нужно.",
        "sections": [
            {
                "title": "О себе",
                "questions": [
                    {
                        "key": "reading",
                        "kind": "single",
                        "required": True,
                        "text": "Как часто ты читаешь книги не по заданию учителя?",
                        "choices": [
                            "Почти каждый день",
                            "Раз в неделю",
                            "Раз в месяц",
                            "Почти никогда",
                        ],
                    },
                    {
                        "key": "genres",
                        "kind": "multiple",
                        "text": "Что ты любишь читать?",
                        "choices": [
                            "Приключения",
                            "Фантастику",
                            "Стихи",
                            "Книги о природе",
                            "Другое",
                        ],
                    },
                    {
                        "key": "genre_other",
                        "kind": "short_text",
                        "text": "Что еще ты любишь читать?",
                        "show_if": {"question": "genres", "values": ["Другое"]},
                    },
                    {
                        "key": "books",
                        "kind": "number",
                        "min_value": 0,
                        "max_value": 1000,
                        "text": "Сколько книг примерно у вас дома?",
                    },
                ],
            },
            {
                "title": "О школе",
                "questions": [
                    {
                        "key": "like_school",
                        "kind": "scale",
                        "required": True,
                        "text": "Мне нравится учиться в школе",
                        "choices": AGREE,
                    },
                    {
                        "key": "lessons",
                        "kind": "matrix",
                        "required": True,
                        "text": "Насколько ты согласен с утверждениями об уроках литературы?",
                        "statements": [
                            "На уроках интересно",
                            "Я понимаю, что объясняет учитель",
                            "Мне хватает времени на задания",
                        ],
                        "choices": ["Нет", "Скорее нет", "Скорее да", "Да"],
                    },
                ],
            },
        ],
    },
    Respondent.TEACHER: {
        "code": "niko2026_teacher",
        "title": "Анкета учителя",
        "respondent": Respondent.TEACHER,
        "intro": "Анкета анонимна. Ответы используются только в обобщенном виде.",
        "sections": [
            {
                "title": "О себе",
                "questions": [
                    {
                        "key": "years",
                        "kind": "number",
                        "required": True,
                        "min_value": 0,
                        "max_value": 60,
                        "text": "Ваш педагогический стаж, лет",
                    },
                    {
                        "key": "category",
                        "kind": "single",
                        "required": True,
                        "text": "Ваша квалификационная категория",
                        "choices": ["Высшая", "Первая", "Соответствие занимаемой должности", "Нет"],
                    },
                    {
                        "key": "training",
                        "kind": "single",
                        "text": "Проходили ли вы курсы повышения квалификации за последние 3 года?",
                        "choices": ["Да", "Нет"],
                    },
                    {
                        "key": "training_topic",
                        "kind": "short_text",
                        "text": "Тема последних курсов",
                        "show_if": {"question": "training", "values": ["Да"]},
                    },
                ],
            },
            {
                "title": "Преподавание",
                "questions": [
                    {
                        "key": "methods",
                        "kind": "multiple",
                        "text": "Что вы используете на уроках?",
                        "choices": [
                            "Групповую работу",
                            "Проекты",
                            "Цифровые ресурсы",
                            "Читательские дневники",
                        ],
                    },
                    {
                        "key": "climate",
                        "kind": "matrix",
                        "required": True,
                        "text": "Насколько вы согласны с утверждениями о вашей школе?",
                        "statements": [
                            "Ученики уважают учителей",
                            "Родители помогают школе",
                            "Администрация поддерживает учителей",
                        ],
                        "choices": AGREE,
                    },
                    {
                        "key": "satisfied",
                        "kind": "scale",
                        "required": True,
                        "text": "Я доволен своей работой",
                        "choices": AGREE,
                    },
                    {
                        "key": "suggestions",
                        "kind": "long_text",
                        "text": "Что помогло бы вам в работе?",
                    },
                ],
            },
        ],
    },
    Respondent.ADMINISTRATION: {
        "code": "niko2026_school",
        "title": "Анкета образовательной организации",
        "respondent": Respondent.ADMINISTRATION,
        "intro": "Заполняет руководитель ОО или его заместитель.",
        "sections": [
            {
                "title": "Об организации",
                "questions": [
                    {
                        "key": "pupils",
                        "kind": "number",
                        "required": True,
                        "min_value": 1,
                        "max_value": 5000,
                        "text": "Число обучающихся в ОО",
                    },
                    {
                        "key": "library",
                        "kind": "single",
                        "required": True,
                        "text": "Есть ли в ОО библиотека с читальным залом?",
                        "choices": ["Да", "Нет"],
                    },
                    {
                        "key": "equipment",
                        "kind": "multiple",
                        "text": "Что есть в кабинетах литературы?",
                        "choices": ["Интерактивная доска", "Проектор", "Компьютеры для учеников"],
                    },
                    {
                        "key": "problems",
                        "kind": "long_text",
                        "text": "Основные трудности в обеспечении учебного процесса",
                    },
                ],
            },
        ],
    },
}


def _definition(spec: dict) -> dict:
    return {
        **spec,
        "sections": [
            {**section, "order": number, "description": ""}
            for number, section in enumerate(spec["sections"], start=1)
        ],
    }


def _answer(question: Question, rng: random.Random) -> list[str] | None:
    if question.kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
        return [rng.choice(question.choice_list)]
    if question.kind == Question.Kind.MULTIPLE:
        return rng.sample(question.choice_list, rng.randint(1, 2))
    if question.kind == Question.Kind.NUMBER:
        low, high = question.min_value or 0, min(question.max_value or 40, 40)
        return [str(rng.randint(low, high))]
    if question.kind == Question.Kind.SHORT_TEXT:
        return ["Смысловое чтение"]
    if question.kind == Question.Kind.LONG_TEXT:
        return [rng.choice(["", "Больше времени на подготовку к урокам."])]
    return None


def _fill(access_code: AccessCode, rng: random.Random, *, send: bool) -> None:
    for section in access_code.questionnaire.sections.prefetch_related("questions"):
        data = QueryDict(mutable=True)
        for question in section.questions.all():
            if question.kind == Question.Kind.MATRIX:
                for number in range(1, len(question.statement_list) + 1):
                    data[f"{question.field_name}__{number}"] = rng.choice(question.choice_list)
            else:
                data.setlist(question.field_name, _answer(question, rng) or [])
        services.answers_save(access_code=access_code, section=section, data=data)
    if send:
        services.response_submit(access_code=access_code)


def seed(*, stdout) -> None:
    study = Study.objects.filter(code="niko2026").first()
    operator = User.objects.filter(username="admin").first()
    if study is None or operator is None or Questionnaire.objects.filter(study=study).exists():
        return
    now = timezone.now()
    questionnaires = {
        respondent: services.questionnaire_import(
            definition=_definition(spec),
            study=study,
            code="",
            title="",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=12),
            actor=operator,
        )
        for respondent, spec in DEFINITIONS.items()
    }
    rng = random.Random(2026)
    school = User.objects.filter(username="edu470001").first()
    sent = 0
    if school is not None:
        teachers = services.codes_issue(
            questionnaire=questionnaires[Respondent.TEACHER], actor=school, count=8
        )
        for number, access_code in enumerate(teachers[:7]):
            _fill(access_code, rng, send=number < 6)
            sent += number < 6
        administration = services.codes_issue(
            questionnaire=questionnaires[Respondent.ADMINISTRATION], actor=school, count=2
        )
        _fill(administration[0], rng, send=True)
        sent += 1
    with_pupils = (
        ParticipantCode.objects.filter(study=study)
        .values_list("organization_id", flat=True)
        .first()
    )
    pupil_school = User.objects.filter(organization_id=with_pupils).first()
    if pupil_school is not None:
        pupils = services.codes_issue(
            questionnaire=questionnaires[Respondent.PUPIL], actor=pupil_school
        )
        for number, access_code in enumerate(pupils):
            if number % 3 != 2:
                _fill(access_code, rng, send=number % 3 == 0)
                sent += number % 3 == 0
    stdout.write(f"Анкеты НИКО: 3 анкеты, отправлено ответов: {sent}.")

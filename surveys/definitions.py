"""What makes a questionnaire well-formed, and questionnaires as JSON files (like form
definitions in `datacollection.definition_files`), so next year's starts from this year's."""

import json

from .models import Question, Questionnaire

FORMAT = "fisoko-niko-questionnaire"
FORMAT_VERSION = 1
NOT_A_DEFINITION_MESSAGE = (
    "Файл не является определением анкеты ФИС ОКО (JSON, выгруженный кнопкой «Экспорт»)."
)
Kind = Question.Kind


def question_errors(question: Question) -> dict[str, str]:
    """Field → Russian message for a question that could not be answered as defined."""
    errors = {}
    choices = question.choice_list
    if question.kind in Question.CHOICE_KINDS and len(choices) < 2:
        errors["choices"] = "Укажите не меньше двух вариантов ответа, по одному в строке."
    if question.kind not in Question.CHOICE_KINDS and question.choices.strip():
        errors["choices"] = "Варианты ответа задаются только для вопросов с выбором."
    if len(set(choices)) != len(choices):
        errors["choices"] = "Варианты ответа повторяются."
    if question.kind == Kind.MATRIX and not question.statement_list:
        errors["statements"] = "Укажите утверждения матрицы, по одному в строке."
    if question.kind != Kind.MATRIX and question.statements.strip():
        errors["statements"] = "Утверждения задаются только для матрицы."
    if question.kind != Kind.NUMBER and (
        question.min_value is not None or question.max_value is not None
    ):
        errors["min_value"] = "Границы задаются только для числа."
    if (
        question.min_value is not None
        and question.max_value is not None
        and question.min_value > question.max_value
    ):
        errors["max_value"] = "Наибольшее число меньше наименьшего."
    parent = question.show_if_question
    if parent is not None:
        if parent.kind not in Question.CONDITION_KINDS:
            errors["show_if_question"] = (
                "Условие можно поставить только на вопрос с вариантами ответа "
                "(один, несколько, шкала)."
            )
        elif (
            question.section_id
            and parent.section.questionnaire_id != question.section.questionnaire_id
        ):
            errors["show_if_question"] = "Условие — только на вопрос той же анкеты."
        elif question.pk and not _is_earlier(parent, question):
            errors["show_if_question"] = "Условие — только на более ранний вопрос анкеты."
        elif not question.show_if_list:
            errors["show_if_values"] = "Укажите ответы, при которых вопрос показывается."
        elif any(value not in parent.choice_list for value in question.show_if_list):
            errors["show_if_values"] = "Таких вариантов нет у вопроса условия: " + ", ".join(
                f"«{value}»" for value in question.show_if_list if value not in parent.choice_list
            )
    elif question.show_if_values.strip():
        errors["show_if_question"] = "Выберите вопрос, от ответа на который зависит показ."
    return errors


def _is_earlier(parent: Question, question: Question) -> bool:
    return (parent.section.order, parent.section_id, parent.order, parent.pk) < (
        question.section.order,
        question.section_id,
        question.order,
        question.pk,
    )


QUESTION_FIELDS = [
    "key",
    "order",
    "text",
    "help_text",
    "kind",
    "required",
    "min_value",
    "max_value",
]


def questionnaire_export(questionnaire: Questionnaire) -> dict:
    sections = []
    for section in questionnaire.sections.prefetch_related("questions__show_if_question"):
        sections.append(
            {
                "title": section.title,
                "order": section.order,
                "description": section.description,
                "questions": [
                    {
                        **{name: getattr(question, name) for name in QUESTION_FIELDS},
                        "choices": question.choice_list,
                        "statements": question.statement_list,
                        "show_if": (
                            {
                                "question": question.show_if_question.key,
                                "values": question.show_if_list,
                            }
                            if question.show_if_question
                            else None
                        ),
                    }
                    for question in section.questions.all()
                ],
            }
        )
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "questionnaire": {
            "code": questionnaire.code,
            "title": questionnaire.title,
            "respondent": questionnaire.respondent,
            "intro": questionnaire.intro,
            "sections": sections,
        },
    }


def questionnaire_export_json(questionnaire: Questionnaire) -> bytes:
    return json.dumps(questionnaire_export(questionnaire), ensure_ascii=False, indent=2).encode()


class DefinitionFileError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def definition_from_file(data: bytes) -> dict:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE]) from None
    if (
        not isinstance(parsed, dict)
        or parsed.get("format") != FORMAT
        or not isinstance(parsed.get("questionnaire"), dict)
    ):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE])
    if parsed.get("version") != FORMAT_VERSION:
        raise DefinitionFileError(
            [
                f"Версия файла {parsed.get('version')} не поддерживается "
                f"(ожидается {FORMAT_VERSION})."
            ]
        )
    return parsed["questionnaire"]

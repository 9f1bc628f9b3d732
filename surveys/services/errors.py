"""The refusals of the questionnaires' services, with the Russian text a person reads."""

from core.errors import AccessDenied, ServiceError  # noqa: F401 (re-exported)

CODE_EMPTY = "Введите код доступа с листка, который выдала школа."
CODE_WRONG = (
    "Код не найден. Проверьте, что он введен без ошибок: латинские буквы и цифры, как на листке."
)
CODE_FOREIGN = "Этот код выдан для другой анкеты. Откройте анкету, указанную на листке с кодом."
CODE_USED = "По этому коду анкета уже отправлена {at}. Заполнить ее еще раз нельзя."
CODE_NOT_YET = "Анкета еще не открыта: заполнить ее можно с {at}."
CODE_EXPIRED = "Срок заполнения анкеты истек {at}: ответы больше не принимаются."
CODE_RATE_LIMITED = (
    "Слишком много неверных попыток ввода кода с этого адреса. "
    "Подождите 15 минут и попробуйте снова."
)
SUBMIT_INCOMPLETE = "Анкета не отправлена: ответьте на обязательные вопросы (отмечены ниже)."
ISSUE_COUNT = "Укажите, сколько кодов выдать: от 1 до {limit}."
ISSUE_NO_PARTICIPANTS = (
    "Новых кодов участников нет: все коды участников{where} уже получили код анкеты. "
    "Коды участников выдаются в разделе классов исследования."
)
ISSUE_CLOSED = "Анкета закрыта: новые коды не выдаются."
REMIND_RATE = "Укажите долю заполнения в процентах: от 1 до 100."
REMIND_NOT_ALLOWED = "Напоминания отправляют региональный координатор и оператор."
REMIND_FOREIGN = (
    "Среди выбранных есть организации вне вашей зоны ответственности: ничего не отправлено."
)
REMIND_NOBODY = "Организаций с заполнением ниже {below} % нет: напоминать некому."
REMIND_QUESTIONNAIRE = "Выберите анкету, о которой напомнить."
ISSUE_LIMIT = 500


class SurveyError(ServiceError):
    pass


class CodeRefused(SurveyError):
    pass


class ResponseClosed(SurveyError):
    """The code was used («Отправить») or the questionnaire closed: nothing is saved."""


class ResponseIncomplete(SurveyError):
    def __init__(self, errors: dict[int, str], first_section: int):
        super().__init__(SUBMIT_INCOMPLETE)
        self.errors = errors
        self.first_section = first_section


class DefinitionInvalid(SurveyError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages

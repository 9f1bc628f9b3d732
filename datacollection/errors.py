"""Refusals of «Сбор данных», each with the Russian text a person reads.

Every error here derives from `core.errors.ServiceError`, so views translate them one way
(`error.message`); refusals of access also derive from `core.errors.AccessDenied` (403/404).
"""

from core.errors import AccessDenied, ServiceError

CLOSED_MESSAGE = "Сбор данных закрыт: изменения и сдача отчета больше не принимаются."
NOT_YOURS_MESSAGE = "Изменять данные может только сама образовательная организация."
NOT_COORDINATOR_MESSAGE = "Это действие доступно региональному координатору и оператору."
OUT_OF_SCOPE_MESSAGE = "Эта организация не входит в вашу зону ответственности."
NOT_PARTICIPATING_MESSAGE = "Организация не участвует в этом сборе данных."
NOT_OPERATOR_MESSAGE = "Участвующие ОО меняет федеральный оператор."
NO_CELL_MESSAGE = "Такой ячейки в форме нет."


class DataCollectionError(ServiceError):
    """Any refusal of a data-collection service."""


class CollectionClosedError(DataCollectionError):
    def __init__(self):
        super().__init__(CLOSED_MESSAGE)


class WriteNotAllowedError(AccessDenied, DataCollectionError):
    """Only the organization itself types into its report."""

    def __init__(self):
        super().__init__(NOT_YOURS_MESSAGE)


class CoordinationDeniedError(AccessDenied, DataCollectionError):
    """A return or an extension by someone who may not act, or on an organization out of scope."""


class ParticipantsDeniedError(AccessDenied, DataCollectionError):
    """Who takes part in a collection is the federal operator's to change."""

    def __init__(self):
        super().__init__(NOT_OPERATOR_MESSAGE)


class CellConflictError(DataCollectionError):
    """The cell changed since the client read it; the client gets the newer value."""

    def __init__(self, *, current_value: str, current_version: int):
        super().__init__("Значение изменено в другой вкладке или другим пользователем.")
        self.current_value = current_value
        self.current_version = current_version


class CellError(DataCollectionError):
    """A value the column does not accept (`validation.clean_value`)."""


class ReportHasErrorsError(DataCollectionError):
    def __init__(self, errors: list):
        super().__init__(f"Отчет не сдан: исправьте ошибки ({len(errors)}).")
        self.errors = errors


class ExcelFileError(DataCollectionError):
    """An uploaded workbook as a whole cannot be read: wrong type, too large, broken."""


class ExcelCellErrors(DataCollectionError):
    """Values in an uploaded workbook that the form does not accept; nothing is saved."""

    def __init__(self, errors: list[str]):
        super().__init__("Данные из файла не загружены: исправьте ошибки в файле.")
        self.errors = errors


class DefinitionFileError(DataCollectionError):
    """A definition file or a list of logins that cannot be read; every reason listed."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class DefinitionInvalidError(DataCollectionError):
    """A definition that contradicts itself: every message of the models' clean()."""

    def __init__(self, messages: list[str]):
        super().__init__("Определение формы не импортировано: " + " ".join(messages))
        self.messages = messages


def _shown(logins: list[str]) -> str:
    return ", ".join(logins[:50]) + (" …" if len(logins) > 50 else "")


class UnknownLoginsError(DataCollectionError):
    def __init__(self, logins: list[str], *, outcome: str = "ничего не добавлено"):
        super().__init__(f"Неизвестные логины ({len(logins)}), {outcome}: {_shown(logins)}.")
        self.logins = logins


class ParticipantHasDataError(DataCollectionError):
    """Organizations that have already entered data in the collection stay participants."""

    def __init__(self, logins: list[str]):
        super().__init__(
            f"У этих ОО уже есть введенные данные в этом сборе ({len(logins)}), ничего не "
            f"удалено: {_shown(logins)}. Данные ОО не удаляются вместе с участием."
        )
        self.logins = logins

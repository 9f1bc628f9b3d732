"""Writes of the questionnaires, by concern: `respondents` (a code, answers, «Отправить»),
`school` (issuing codes), `coordination` (reminders, the export), `importing` (definition
files). Each checks access itself, runs in one transaction and records an audit row where a
person acts."""

from .coordination import (
    export_run,
    export_start,
    exports_cleanup,
    reminders_deliver,
    reminders_request,
)
from .errors import (
    CODE_EMPTY,
    CODE_EXPIRED,
    CODE_FOREIGN,
    CODE_NOT_YET,
    CODE_RATE_LIMITED,
    CODE_USED,
    CODE_WRONG,
    ISSUE_CLOSED,
    ISSUE_COUNT,
    ISSUE_LIMIT,
    ISSUE_NO_PARTICIPANTS,
    REMIND_RATE,
    SUBMIT_INCOMPLETE,
    AccessDenied,
    CodeRefused,
    DefinitionInvalid,
    ResponseClosed,
    ResponseIncomplete,
    SurveyError,
)
from .importing import questionnaire_import
from .respondents import (
    Saved,
    answers_save,
    closed_reason,
    code_enter,
    response_submit,
)
from .school import codes_issue

__all__ = [
    "CODE_EMPTY",
    "CODE_EXPIRED",
    "CODE_FOREIGN",
    "CODE_NOT_YET",
    "CODE_RATE_LIMITED",
    "CODE_USED",
    "CODE_WRONG",
    "ISSUE_CLOSED",
    "ISSUE_COUNT",
    "ISSUE_LIMIT",
    "ISSUE_NO_PARTICIPANTS",
    "REMIND_RATE",
    "SUBMIT_INCOMPLETE",
    "AccessDenied",
    "CodeRefused",
    "DefinitionInvalid",
    "ResponseClosed",
    "ResponseIncomplete",
    "Saved",
    "SurveyError",
    "answers_save",
    "closed_reason",
    "code_enter",
    "codes_issue",
    "export_run",
    "export_start",
    "exports_cleanup",
    "questionnaire_import",
    "reminders_deliver",
    "reminders_request",
    "response_submit",
]

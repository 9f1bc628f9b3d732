"""Writes of «Сбор данных», split by concern:

- `writing`: what every write on a report shares (`report_write`: access, lock, window, row
  check, «В работе», audit row);
- `autosave`: cells, several per request, all or nothing, in few statements (`cells_save`;
  `cell_save` is one cell through the same path; `cell_writes` is its write step per database);
- `editing`: rows, «Сдать отчет»;
- `files`: files of file cells;
- `excel_import`: «Загрузить из Excel»;
- `coordination`: a coordinator's return for corrections and extensions (scoped to the actor);
- `form_definitions`: export and import of form definitions (JSON);
- `participants`: participating organizations.

Callers write `from datacollection import services; services.cell_save(...)`: every public
name is re-exported here.
"""

from core.files import FILE_STORAGE_MESSAGE, FileStorageUnavailable

from ..errors import (
    CLOSED_MESSAGE,
    NO_CELL_MESSAGE,
    NOT_COORDINATOR_MESSAGE,
    NOT_YOURS_MESSAGE,
    OUT_OF_SCOPE_MESSAGE,
    CellConflictError,
    CellError,
    CollectionClosedError,
    CoordinationDeniedError,
    DataCollectionError,
    DefinitionFileError,
    DefinitionInvalidError,
    ParticipantHasDataError,
    ParticipantsDeniedError,
    ReportHasErrorsError,
    UnknownLoginsError,
    WriteNotAllowedError,
)
from .autosave import CellInput, CellsSaved, ReportNotFoundForWriting, cell_save, cells_save
from .coordination import (
    EMPTY_COMMENT_MESSAGE,
    EXTENSION_BEFORE_DEADLINE_MESSAGE,
    EXTENSION_IN_PAST_MESSAGE,
    NOT_PARTICIPATING_MESSAGE,
    NOT_SUBMITTED_MESSAGE,
    extension_check,
    extension_grant,
    extension_revoke,
    report_return_for_corrections,
)
from .editing import (
    FILE_CELL_MESSAGE,
    NOT_DYNAMIC_MESSAGE,
    ROW_LIMIT_MESSAGE,
    CellSaved,
    report_snapshot,
    report_submit,
    row_add,
    row_remove,
)
from .excel_import import IMPORT_ROW_LIMIT_MESSAGE, ImportResult, report_excel_import
from .files import (
    FILE_CONTENT_MESSAGE,
    FILE_EMPTY_MESSAGE,
    FILE_SIZE_MESSAGE,
    FILE_TYPE_MESSAGE,
    NO_FILE_IN_CELL_MESSAGE,
    NO_FILE_MESSAGE,
    NOT_A_FILE_CELL_MESSAGE,
    cell_file_remove,
    cell_file_upload,
)
from .form_definitions import (
    FORM_CODE_TAKEN_MESSAGE,
    definition_from_file,
    form_export,
    form_export_json,
    form_import,
)
from .participants import collection_add_organizations, collection_remove_organizations
from .writing import (
    NO_ROW_MESSAGE,
    NO_TABLE_MESSAGE,
    ReportWrite,
    ensure_writable,
    report_open,
    report_write,
)

__all__ = [
    "CLOSED_MESSAGE",
    "EMPTY_COMMENT_MESSAGE",
    "EXTENSION_BEFORE_DEADLINE_MESSAGE",
    "EXTENSION_IN_PAST_MESSAGE",
    "FILE_CELL_MESSAGE",
    "FILE_CONTENT_MESSAGE",
    "FILE_EMPTY_MESSAGE",
    "FILE_SIZE_MESSAGE",
    "FILE_STORAGE_MESSAGE",
    "FILE_TYPE_MESSAGE",
    "FORM_CODE_TAKEN_MESSAGE",
    "IMPORT_ROW_LIMIT_MESSAGE",
    "NOT_A_FILE_CELL_MESSAGE",
    "NOT_COORDINATOR_MESSAGE",
    "NOT_DYNAMIC_MESSAGE",
    "NOT_PARTICIPATING_MESSAGE",
    "NOT_SUBMITTED_MESSAGE",
    "NOT_YOURS_MESSAGE",
    "NO_CELL_MESSAGE",
    "NO_FILE_IN_CELL_MESSAGE",
    "NO_FILE_MESSAGE",
    "NO_ROW_MESSAGE",
    "NO_TABLE_MESSAGE",
    "OUT_OF_SCOPE_MESSAGE",
    "ROW_LIMIT_MESSAGE",
    "CellConflictError",
    "CellError",
    "CellInput",
    "CellSaved",
    "CellsSaved",
    "CollectionClosedError",
    "CoordinationDeniedError",
    "DataCollectionError",
    "DefinitionFileError",
    "DefinitionInvalidError",
    "FileStorageUnavailable",
    "ImportResult",
    "ParticipantHasDataError",
    "ParticipantsDeniedError",
    "ReportHasErrorsError",
    "ReportNotFoundForWriting",
    "ReportWrite",
    "UnknownLoginsError",
    "WriteNotAllowedError",
    "cell_file_remove",
    "cell_file_upload",
    "cell_save",
    "cells_save",
    "collection_add_organizations",
    "collection_remove_organizations",
    "definition_from_file",
    "ensure_writable",
    "extension_check",
    "extension_grant",
    "extension_revoke",
    "form_export",
    "form_export_json",
    "form_import",
    "report_excel_import",
    "report_open",
    "report_return_for_corrections",
    "report_snapshot",
    "report_submit",
    "report_write",
    "row_add",
    "row_remove",
]

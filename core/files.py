"""Uploaded files, the same rules everywhere: extension, size in Russian words, what the
first bytes must be, the content type a download is served with, how an accepted upload is
written to the media directory (`upload_stored`), and how any file leaves the portal
(`stored_file_open`, `download`)."""

import contextlib
import io
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from .errors import ServiceError

# Content types by extension: the browser's claim about an upload is not trusted.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}

# The first bytes each type must start with: an extension alone proves nothing (a renamed HTML
# page is not a scan). Office files since 2007 and OpenDocument files are zip archives.
ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc, .xls, .ppt (Office 97-2003)
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "zip": (*ZIP, b"PK\x05\x06"),  # an empty archive is only its end record
    "doc": OLE,
    "xls": OLE,
    "ppt": OLE,
    "rtf": (b"{\\rtf",),
    "rar": (b"Rar!\x1a\x07",),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
}
# Text types have no signature; a NUL byte in their first kilobytes means a binary file.
TEXT_EXTENSIONS = {"txt", "csv"}
# Zip-based documents the portal or the reader's office program unpacks: checked for zip bombs.
# (A .zip attachment is only passed on, never unpacked here, and may hold anything.)
ZIP_DOCUMENTS = {"docx", "xlsx", "pptx", "odt", "ods"}

# A zip bomb: a member that unpacks to more than MAX_COMPRESSION_RATIO times its packed size
# (real sheets and documents stay far below: text XML packs 5 to 20 times) once it is bigger
# than RATIO_CHECKED_FROM, or a whole archive that unpacks to more than its rule allows.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 2**20
MAX_ZIP_MEMBERS = 10_000


def file_extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def format_file_size(size: int) -> str:
    """«350 КБ», «1,5 МБ», «20 МБ»: 1 КБ = 1024 байт, a Russian decimal comma under 10 МБ."""
    if size < 2**20:
        return f"{max(1, round(size / 1024))} КБ"
    megabytes = size / 2**20
    return f"{megabytes:.0f} МБ" if megabytes >= 10 else f"{megabytes:.1f} МБ".replace(".", ",")


def content_matches_extension(file, extension: str) -> bool:
    """Whether the file starts as a file of that extension must (types without a known
    signature pass). Leaves the file at its start."""
    file.seek(0)
    head = file.read(4096 if extension in TEXT_EXTENSIONS else 16)
    file.seek(0)
    if extension in TEXT_EXTENSIONS:
        return b"\x00" not in head
    signatures = SIGNATURES.get(extension)
    return not signatures or head.startswith(signatures)


class UnreadableFile(Exception):
    """The uploaded spreadsheet or text cannot be read: broken, not what its name says, or a
    zip bomb. Callers turn it into their own Russian message."""


def zip_bomb_reason(file, *, max_unpacked: int) -> str | None:
    """Why a zip-based file must not be unpacked, or None. Reads only the archive's directory
    (sizes as the archive declares them; the inflater stops at the declared size), so a bomb
    is refused in milliseconds, before any parser inflates it. Leaves the file at its start."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "broken"
    finally:
        file.seek(0)
    if len(members) > MAX_ZIP_MEMBERS:
        return "bomb"
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            return "bomb"
    return "bomb" if total > max_unpacked else None


UPLOAD_MISSING_MESSAGE = "Выберите файл."
UPLOAD_TYPE_MESSAGE = "Файл «{name}» не принят: допускаются файлы {extensions}."
UPLOAD_EMPTY_MESSAGE = "Файл «{name}» пустой."
UPLOAD_SIZE_MESSAGE = "Файл «{name}» слишком большой ({size}): допускается не больше {limit}."
UPLOAD_CONTENT_MESSAGE = "Файл «{name}» поврежден или его содержимое не соответствует расширению."
UPLOAD_BOMB_MESSAGE = (
    "Файл «{name}» не принят: в распакованном виде он занимает больше {limit} "
    "или сжат подозрительно сильно."
)


class UploadRefused(ServiceError):
    """An upload that breaks its rule. `reason` is one of REASONS, `message` a Russian text
    naming the file; callers may show it as is or say it their own way."""

    REASONS = ("missing", "type", "empty", "size", "content", "bomb")

    def __init__(self, message: str, *, reason: str, name: str = ""):
        super().__init__(message)
        self.reason = reason
        self.name = name


@dataclass(frozen=True)
class UploadRule:
    """What an upload of one kind may be: its extensions, its largest size, and for zip-based
    documents the largest total they may unpack to."""

    extensions: tuple[str, ...]
    max_size: int
    max_unpacked: int = 20 * 2**20

    def describe_extensions(self) -> str:
        return ", ".join(e.upper() for e in self.extensions if e != "jpeg")


def upload_name(upload) -> str:
    """The upload's own file name, without any path a browser sent, at most 255 characters."""
    return PurePath(str(getattr(upload, "name", "") or "файл")).name.strip()[:255] or "файл"


def check_upload(upload, rule: UploadRule) -> tuple[str, str]:
    """The ONE rule for every uploaded file: extension, size, the first bytes, and for
    zip-based documents the zip-bomb guard. Returns (name, extension) or raises UploadRefused.
    Leaves the file at its start."""
    if upload is None:
        raise UploadRefused(UPLOAD_MISSING_MESSAGE, reason="missing")
    name = upload_name(upload)
    extension = file_extension(name)
    if extension not in rule.extensions:
        message = UPLOAD_TYPE_MESSAGE.format(name=name, extensions=rule.describe_extensions())
        raise UploadRefused(message, reason="type", name=name)
    if not upload.size:
        raise UploadRefused(UPLOAD_EMPTY_MESSAGE.format(name=name), reason="empty", name=name)
    if upload.size > rule.max_size:
        message = UPLOAD_SIZE_MESSAGE.format(
            name=name, size=format_file_size(upload.size), limit=format_file_size(rule.max_size)
        )
        raise UploadRefused(message, reason="size", name=name)
    broken = UploadRefused(UPLOAD_CONTENT_MESSAGE.format(name=name), reason="content", name=name)
    if not content_matches_extension(upload, extension):
        raise broken
    if extension in ZIP_DOCUMENTS:
        reason = zip_bomb_reason(upload, max_unpacked=rule.max_unpacked)
        if reason == "broken":
            raise broken
        if reason == "bomb":
            limit = format_file_size(rule.max_unpacked)
            message = UPLOAD_BOMB_MESSAGE.format(name=name, limit=limit)
            raise UploadRefused(message, reason="bomb", name=name)
    return name, extension


def open_xlsx(
    data: bytes,
    *,
    size_limit: int | None = None,
    max_unpacked: int | None = None,
    formulas: bool = False,
):
    """A read-only openpyxl workbook of the bytes, or UnreadableFile. The zip-bomb guard runs
    first: no member may unpack beyond MAX_COMPRESSION_RATIO, and the whole workbook not beyond
    `max_unpacked` (SPREADSHEET_MAX_UNPACKED_SIZE unless given); `size_limit` bounds the bytes.
    Cells read as their saved results; `formulas=True` reads formulas instead ("=…")."""
    from openpyxl import load_workbook

    if size_limit is not None and len(data) > size_limit:
        raise UnreadableFile
    if max_unpacked is None:
        max_unpacked = settings.SPREADSHEET_MAX_UNPACKED_SIZE
    if zip_bomb_reason(io.BytesIO(data), max_unpacked=max_unpacked) is not None:
        raise UnreadableFile
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except Exception:  # openpyxl raises many kinds for a broken file; all mean the same here
        raise UnreadableFile from None


def decode_text(data: bytes) -> str:
    """A CSV or text upload as text: UTF-8 (with or without BOM), else cp1251 — what Excel on
    Windows writes for «CSV (разделители — точка с запятой)». UnreadableFile for binary data."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise UnreadableFile from None
    if "\x00" in text:  # UTF-16 or a binary file named .csv
        raise UnreadableFile
    return text


# Text starting with one of these is read as a formula by a spreadsheet (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text typed by someone else, for an exported sheet: never run as a formula. The leading
    apostrophe is visible and survives a round trip through CSV, unlike a leading space."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def discard_workbook(workbook) -> None:
    """After a write-only openpyxl workbook was given up (an error, a superseded run, a killed
    worker's unwinding): close every sheet and remove its temporary file."""
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):  # already closed by a save that got that far
            sheet.close()
        with contextlib.suppress(OSError):
            writer.cleanup()


FILE_STORAGE_MESSAGE = (
    "Файл не сохранен: хранилище файлов на сервере сейчас недоступно. Повторите загрузку "
    "позже; если ошибка повторится, сообщите в службу поддержки."
)


class FileStorageUnavailable(ServiceError):
    """The media directory cannot be written (no permission, no space): nothing was kept."""

    def __init__(self, message: str = FILE_STORAGE_MESSAGE):
        super().__init__(message)


# The files stored inside each open `atomic_with_files`, innermost last.
_stored_in: ContextVar[tuple[list, ...]] = ContextVar("stored_in", default=())


def _delete_stored(stored: list) -> None:
    for storage, name in stored:
        with contextlib.suppress(OSError):  # a file the disk will not delete: nothing else to do
            storage.delete(name)


@contextlib.contextmanager
def atomic_with_files(using: str | None = None):
    """`transaction.atomic` for a write that stores files (`upload_stored`), as a `with` block
    or a decorator. `transaction.on_commit` runs only after a commit that worked, and Django
    has no hook for a rollback: so the files stored inside are deleted here when the block
    ends with an exception — its own, or the database refusing the commit (a deferred
    constraint, a lost connection), which `transaction.atomic` raises on leaving.

    Nested in another one, its files pass to the outer block on success: the outermost commit
    decides. It must be the outermost transaction of such a write (not inside a plain
    `transaction.atomic`, whose failing commit it would not see); the admin's save is wrapped
    in one for that reason."""
    stored: list = []
    token = _stored_in.set((*_stored_in.get(), stored))
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _delete_stored(stored)
        raise
    finally:
        _stored_in.reset(token)
    outer = _stored_in.get()
    if outer:
        outer[-1].extend(stored)


@contextlib.contextmanager
def upload_stored(field_file, upload, *, name: str | None = None):
    """The ONE way an accepted upload reaches the media directory, before the row that points
    to it: the file is written under the name its field gives it (`field_file` is the model's
    FieldFile, e.g. `question.attachment`), then the rows are saved inside the `with` block,
    itself inside `atomic_with_files`.

    A write the disk refuses (no permission, no space) leaves no partial file and raises
    FileStorageUnavailable before anything else is done; a block that fails removes the file,
    and so does the surrounding transaction failing later, up to its commit. So no row points
    to a missing file and no file is left without its row. With no upload (None) it does
    nothing."""
    if upload is None:
        yield None
        return
    transactions = _stored_in.get()
    if not transactions:
        raise RuntimeError("upload_stored: run it inside core.files.atomic_with_files")
    field, instance, storage = field_file.field, field_file.instance, field_file.storage
    path = field.generate_filename(instance, name or upload_name(upload))
    try:
        stored = storage.save(path, upload, max_length=field.max_length)
    except OSError:
        with contextlib.suppress(OSError):  # unreadable too: there is nothing we could remove
            if storage.exists(path):
                storage.delete(path)
        raise FileStorageUnavailable from None
    setattr(instance, field.attname, stored)  # a stored name: saving the row writes no file
    try:
        yield stored
    except BaseException:
        _delete_stored([(storage, stored)])
        raise
    transactions[-1].append((storage, stored))


XLSX = CONTENT_TYPES["xlsx"]
PRIVATE = "private, no-store"


def stored_file_open(file, missing: str = "Файл не найден") -> BinaryIO:
    """A stored file (a `FieldFile`) opened for a download; gone from the disk → 404 `missing`."""
    try:
        return file.open("rb")
    except FileNotFoundError:
        raise Http404(missing) from None


def download(
    content: bytes | BinaryIO,
    filename: str,
    *,
    content_type: str | None = XLSX,
    inline: bool = False,
    cache_control: str = PRIVATE,
) -> HttpResponse:
    """Every file the portal hands out, one way: an attachment (or `inline`) under its Cyrillic
    name (RFC 5987 `filename*`), the content type given and not sniffed by the browser (None:
    guessed from the name), kept by no shared cache. `content`: the bytes of a workbook just
    written, or an open file (streamed)."""
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    else:
        response = FileResponse(
            content, as_attachment=not inline, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response

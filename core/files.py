"""Uploaded files, the same rules everywhere: extension, size in Russian words, what the
first bytes must be, and the content type a download is served with."""

from pathlib import PurePath

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

# The first bytes of types that are checked: an extension alone proves nothing (a renamed HTML
# page is not a scan).
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


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
    signatures = SIGNATURES.get(extension)
    if not signatures:
        return True
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return head.startswith(signatures)


class UnreadableFile(Exception):
    """The uploaded spreadsheet or text cannot be read: broken, not what its name says, or a
    zip bomb. Callers turn it into their own Russian message."""


# An .xlsx is a zip archive; one that unpacks to far more than this many times its limit is a
# zip bomb, refused before openpyxl inflates it in memory.
MAX_UNPACKED_RATIO = 50


def open_xlsx(data: bytes, *, size_limit: int):
    """A read-only openpyxl workbook of the bytes, or UnreadableFile."""
    import io
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile from None
    if unpacked > size_limit * MAX_UNPACKED_RATIO:
        raise UnreadableFile
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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

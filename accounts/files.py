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

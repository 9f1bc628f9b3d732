"""Small real files of each uploadable type: they pass the upload rule of core.files (the
first bytes match the extension, office documents are real zip archives), and zip bombs that
must not."""

import io
import zipfile
from pathlib import Path

__all__ = [
    "MEDIA_WRITE_ERRORS",
    "media_files",
    "media_refuses_writes",
    "sample_file_bytes",
    "zip_bomb_bytes",
]

# The media directory unwritable, or the disk full: what the storage raises.
MEDIA_WRITE_ERRORS = [
    PermissionError(13, "Permission denied"),
    OSError(28, "No space left on device"),
]

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sample_file_bytes(name: str) -> bytes:
    """Bytes that look like a file of `name`'s extension to the upload rule."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "pdf":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"
    if extension == "png":
        return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    if extension in ("jpg", "jpeg"):
        return b"\xff\xd8\xff\xe0" + b"\x00" * 64
    if extension in ("docx", "xlsx", "pptx", "odt", "ods", "zip"):
        return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<demo/>"})
    if extension in ("doc", "xls", "ppt"):
        return OLE_HEADER
    if extension == "rtf":
        return b"{\\rtf1 demo}"
    if extension == "rar":
        return b"Rar!\x1a\x07\x00demo"
    if extension == "7z":
        return b"7z\xbc\xaf\x27\x1c\x00\x04demo"
    return "Пример файла\n".encode()


def zip_bomb_bytes(unpacked: int = 100 * 2**20) -> bytes:
    """A real .xlsx (openpyxl opens it) of ≈ unpacked/330 bytes whose first sheet inflates to
    about `unpacked` bytes of one repeated row (written in chunks, never held whole)."""
    from openpyxl import Workbook

    template = io.BytesIO()
    Workbook().save(template)
    sheet_name = "xl/worksheets/sheet1.xml"
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    row = b'<row r="1"><c r="A1"><v>0</v></c></row>'
    chunk = row * (2**20 // len(row))
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
    ):
        for member in source.infolist():
            if member.filename != sheet_name:
                archive.writestr(member.filename, source.read(member))
        with archive.open(sheet_name, "w", force_zip64=True) as handle:
            handle.write(head)
            for _ in range(unpacked // len(chunk)):
                handle.write(chunk)
            handle.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def media_refuses_writes(monkeypatch, error) -> None:
    """Every write into the media directory leaves a few bytes (a full disk's half-written
    file) and raises `error` (root ignores file modes, so a read-only directory is simulated)."""
    from django.core.files.storage import FileSystemStorage

    def refuse(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF")
        raise error

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)


def media_files(media_root) -> list[Path]:
    root = Path(media_root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

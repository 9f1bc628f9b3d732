"""Excel zip bomb: how long an upload of ≈ 300 KB that unpacks to 100 MB holds a worker.

    .venv/bin/python bench/zip_bomb.py [--unpacked-mb 100]

Builds the bomb (a real workbook whose sheet is one row repeated, packed ~330 times), then times in
one run:

  * before: what the portal did until the ratio guard — a total limit of 50 × the 10 MB upload
    limit (500 MB) let the file through to openpyxl, which parsed the whole sheet;
  * after: core.files.open_xlsx, which reads the archive's directory and refuses the member by
    its compression ratio and the total by SPREADSHEET_MAX_UNPACKED_SIZE before any parsing.

Prints both times and their ratio. Nothing is written to disk.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fisoko.settings.test")

import django

django.setup()

from openpyxl import load_workbook  # noqa: E402

from core.files import UnreadableFile, open_xlsx  # noqa: E402
from tests.factories.files import zip_bomb_bytes  # noqa: E402


def before(data: bytes) -> None:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
    except Exception:
        pass
    finally:
        workbook.close()


def after(data: bytes) -> None:
    try:
        open_xlsx(data)
    except UnreadableFile:
        return
    raise SystemExit("the guard let the bomb through")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unpacked-mb", type=int, default=100)
    args = parser.parse_args()
    data = zip_bomb_bytes(args.unpacked_mb * 2**20)
    print(f"bomb: {len(data) / 1024:.0f} KB packed, {args.unpacked_mb} MB unpacked")
    started = time.perf_counter()
    after(data)
    guarded = time.perf_counter() - started
    started = time.perf_counter()
    before(data)
    unguarded = time.perf_counter() - started
    print(f"before (parsed by openpyxl): {unguarded:.2f} s")
    print(f"after (refused by core.files): {guarded * 1000:.1f} ms")
    print(f"ratio before/after: {unguarded / guarded:.0f}×")


if __name__ == "__main__":
    main()

"""Tests of the people directory and its CSV import."""

from __future__ import annotations

import csv
import io


def make_csv(
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    newline: str = "\r\n",
    bom: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """Bytes as a spreadsheet would save them (quoting only where needed)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)

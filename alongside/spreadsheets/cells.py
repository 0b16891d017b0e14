"""Single spreadsheet cells: what an upload may hold, and what an export may write.

Django-free, like the rest of this package. Two dangers, one on each side:

* **In**: a control character (a NUL byte above all) passes every other check, then
  breaks the write — PostgreSQL refuses NUL in text — or hides in a name. Uploads are
  checked cell by cell, so the message names the row and the column.
* **Out**: a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) is run by Excel, LibreOffice and Google Sheets when the file is
  opened ("CSV injection"). Exports write such a cell with a leading apostrophe, which
  spreadsheets show as text; every string cell of every column goes through it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol

# C0 controls except tab, line feed and carriage return (which CSV itself uses), DEL,
# and the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def control_character_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, naming the first control character; None if fine."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    name = "NUL" if char == "\x00" else unicodedata.name(char, "a control character")
    return (
        f"contains a control character ({name}, {code}) at position {found.start() + 1}; "
        "remove it (it often comes from copying out of another system) and upload again."
    )


def neutralise_formula(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, kept as text; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` whose every string cell is neutralised before it is written."""

    def __init__(self, target: Any, **options: Any) -> None:
        self._writer: _Writer = csv.writer(target, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise_formula(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

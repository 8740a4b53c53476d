"""Validation problems collected while loading a file, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geodata.errors import InvalidContent


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by file, row and column."""

    file: str
    row: int | None
    # A column's name, or its 1-based number where a file is located like a spreadsheet
    # (indicators.genesis.GenesisProblem, which the GENESIS import reports as it is).
    column: str | int | None
    message: str
    sheet: str | None = None
    expected: str | None = None  # what the file should have had there (for the report)

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"Blatt {self.sheet}")
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column:
            where.append(f"Spalte {self.column}")
        tail = f" (erwartet: {self.expected})" if self.expected else ""
        return f"{', '.join(where)}: {self.message}{tail}"

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON or CSV reports."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "expected": self.expected,
        }


class LoadError(InvalidContent):
    """Raised with every problem found; the load changed nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

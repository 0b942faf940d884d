"""The tables as CSV that Excel opens as it is in Belgium: UTF-8 with a BOM (else Excel
reads the accents as Windows-1252), and the separator and decimal mark of the language's
locale (nl, fr: ";" and ","; en: "," and "."). Headers are stable English keys, for
scripts; the workbook has translated headers."""

from __future__ import annotations

import csv
import io
from typing import Any

from voting.exports.tables import Table

BOM = "\ufeff"
SEPARATORS = {"nl": (";", ","), "fr": (";", ","), "en": (",", ".")}


def separators(language: str) -> tuple[str, str]:
    """(field separator, decimal mark) of a language's spreadsheets."""
    if language not in SEPARATORS:
        raise ValueError(f"unknown language {language!r}; use nl, fr or en")
    return SEPARATORS[language]


def write(table: Table, language: str) -> str:
    delimiter, decimal = separators(language)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([c.key for c in table.columns])
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        writer.writerow([cell(value, kind, decimal) for value, kind in zip(row, kinds, strict=True)])
    return out.getvalue()


def cell(value: Any, kind: str, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    if kind in ("text", "role"):
        return _safe(str(value))
    return str(value)


def _safe(text: str) -> str:
    """Defuse spreadsheet formulas (CSV injection) in user text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

"""The export as an Excel workbook (openpyxl): one sheet per table of voting/exports/tables.py,
translated headers, real numbers and times, frozen header rows and fitted column widths."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from voting.exports.tables import KEY_LABELS, OTHERS, Column, Table, all_tables
from voting.i18n import mark, translator
from voting.privacy import ROOM_TEXT
from voting.web.client_text import OPTION_LABELS

NO_ROLE = mark("No role")
SCALE_LABELS = {
    "likert5": mark("5-point agreement"),
    "agree3": mark("3-point agreement"),
    "yesno": mark("Yes / no"),
}
FORMATS = {"float": "0.0##", "time": "yyyy-mm-dd hh:mm:ss", "int": "0"}
WIDEST = {"text": 60, "key": 28, "role": 24}


def workbook(data: dict[str, Any], language: str) -> bytes:
    _ = translator(language)
    labels = {k: _(v) for k, v in {**OPTION_LABELS, **KEY_LABELS, **SCALE_LABELS, **band_texts()}.items()}
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in all_tables(data):
        sheet = book.create_sheet(_(table.title)[:31])
        fill(sheet, table, [_(c.header) for c in table.columns], labels, _(NO_ROLE))
    when = datetime.fromisoformat(data["event"]["created_at"]).replace(tzinfo=None)
    book.properties.title = data["event"]["title"]
    book.properties.creator = "voting"
    book.properties.created = book.properties.modified = when  # the same data, the same bytes
    out = io.BytesIO()
    book.save(out)
    return steady(out.getvalue(), when)


def steady(saved: bytes, when: datetime) -> bytes:
    """The workbook with its parts dated `when` (openpyxl dates them now, and the
    modification time too): the same data gives the same bytes."""
    stamp = when.timetuple()[:6]
    moment = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + moment, content)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=stamp), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def band_texts() -> dict[str, str]:
    """The words of the room's bands ("most agree", …), by band name."""
    return {key.removeprefix("band_"): text for key, text in ROOM_TEXT.items() if key.startswith("band_")}


def fill(sheet: Worksheet, table: Table, headers: list[str], labels: dict[str, str], no_role: str) -> None:
    sheet.append(headers)
    for header in sheet[1]:
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([value(v, c, labels, no_role) for v, c in zip(row, table.columns, strict=True)])
    for j, column in enumerate(table.columns, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text that starts with "=" is text, not a formula
            elif column.kind in FORMATS and cell.value is not None:
                cell.number_format = FORMATS[column.kind]
        sheet.column_dimensions[get_column_letter(j)].width = width(sheet, j, column)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def value(raw: Any, column: Column, labels: dict[str, str], no_role: str) -> Any:
    if column.kind == "time" and raw:
        return datetime.fromisoformat(raw).replace(tzinfo=None)  # Excel has no time zones: UTC
    if column.kind == "key" and raw is not None:
        return labels.get(raw, raw)
    if column.kind == "role":
        return no_role if raw is None else labels.get(raw, raw) if raw == OTHERS else raw
    return raw


def width(sheet: Worksheet, j: int, column: Column) -> float:
    if column.kind == "time":
        return 20
    longest = max(
        (len(str(c.value)) for (c,) in sheet.iter_rows(min_col=j, max_col=j) if c.value is not None),
        default=8,
    )
    return min(max(longest + 2, 8), WIDEST.get(column.kind, 16))

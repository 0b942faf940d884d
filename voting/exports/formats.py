"""Every export format by name: what it is made of, its media type and its file name.
The CLI (`voting event export --format NAME`) and the web (/m/{code}/export.{url}) use
this one table."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voting.exports import csvs, tables
from voting.exports.data import ORGANISER, results
from voting.live import Room
from voting.store import Store

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    name: str  # --format NAME
    url: str  # /m/{code}/export.{url}
    suffix: str  # voting-{code}{suffix}
    media_type: str
    make: Callable[[Store, Room, str, str], bytes]  # (store, room, language, scope)
    organiser_only: bool = False


def _json(store: Store, room: Room, language: str, scope: str) -> bytes:
    return as_json(results(store, room, scope)).encode()


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _table(name: str) -> Callable[[Store, Room, str, str], bytes]:
    def make(store: Store, room: Room, language: str, scope: str) -> bytes:
        return csvs.write(tables.TABLES[name](results(store, room, scope, with_map=False)), language).encode()

    return make


def _xlsx(store: Store, room: Room, language: str, scope: str) -> bytes:
    from voting.exports import xlsx  # openpyxl: loaded when needed

    return xlsx.workbook(results(store, room, scope, with_map=False), language)


def _zip(store: Store, room: Room, language: str, scope: str) -> bytes:
    return zipped(store, room, language)


def _polis(store: Store, room: Room, language: str, scope: str) -> bytes:
    from voting.exports import polis  # NumPy and scikit-learn: loaded when needed

    return pack(room, polis.files(store, room))


FORMATS: dict[str, Export] = {
    e.name: e
    for e in (
        Export("json", "json", ".json", "application/json", _json),
        Export("csv", "csv", ".csv", CSV_TYPE, _table("csv")),
        Export("votes-csv", "votes.csv", "-votes.csv", CSV_TYPE, _table("votes-csv"), organiser_only=True),
        Export("comments-csv", "comments.csv", "-comments.csv", CSV_TYPE, _table("comments-csv")),
        Export("roles-csv", "roles.csv", "-roles.csv", CSV_TYPE, _table("roles-csv")),
        Export("xlsx", "xlsx", ".xlsx", XLSX_TYPE, _xlsx),
        Export("zip", "zip", ".zip", "application/zip", _zip, organiser_only=True),
        Export("polis", "polis.zip", "-polis.zip", "application/zip", _polis, organiser_only=True),
    )
}
ROOM_FORMATS = [e for e in FORMATS.values() if not e.organiser_only]


def write(fmt: str, store: Store, room: Room, language: str = "nl", scope: str = ORGANISER) -> bytes:
    """The export `fmt` of an event (ValueError: an unknown format, language or scope)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use {', '.join(FORMATS)}")
    csvs.separators(language)  # checks the language
    return FORMATS[fmt].make(store, room, language, scope)


def zipped(store: Store, room: Room, language: str = "nl") -> bytes:
    """The organiser's tables as CSV, the workbook and the JSON, in one zip file."""
    from voting.exports import xlsx
    data = results(store, room, ORGANISER)
    files: dict[str, str | bytes] = {
        "results.csv": csvs.write(tables.counts(data), language),
        "votes.csv": csvs.write(tables.votes(data), language),
        "comments.csv": csvs.write(tables.comments(data), language),
    }
    if room.event.roles:
        files["roles.csv"] = csvs.write(tables.roles(data, exact=True), language)
    files["results.xlsx"] = xlsx.workbook(data, language)
    files["event.json"] = as_json(data)
    return pack(room, files)


def pack(room: Room, files: dict[str, str] | dict[str, str | bytes]) -> bytes:
    """A zip of `files`, dated with the event's creation (not the time of export), so the
    same data always gives the same bytes, from the console as from `voting event export`."""
    stamp = datetime.fromisoformat(room.event.created_at).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o600 << 16  # as writestr(name, ...) gives: rw for the owner
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def results_csv(store: Store, room: Room, language: str = "nl") -> str:
    return write("csv", store, room, language).decode()


def votes_csv(store: Store, room: Room, language: str = "nl") -> str:
    return write("votes-csv", store, room, language).decode()


def comments_csv(store: Store, room: Room, language: str = "nl") -> str:
    return write("comments-csv", store, room, language).decode()

"""An event's results for the organiser: JSON (the reference, docs/export.md), CSV tables,
an Excel workbook, a zip of them, and Pol.is's export format.

`write(fmt, store, room, language, scope)` makes any of them; `FORMATS` lists them.
"""

from voting.exports.csvs import _safe
from voting.exports.data import ORGANISER, ROOM, SCHEMA, anonymous_votes, figures, results
from voting.exports.formats import (
    FORMATS,
    ROOM_FORMATS,
    Export,
    comments_csv,
    results_csv,
    votes_csv,
    write,
    zipped,
)

__all__ = [
    "FORMATS", "ORGANISER", "ROOM", "ROOM_FORMATS", "SCHEMA", "Export", "_safe", "anonymous_votes",
    "comments_csv", "figures", "results", "results_csv", "votes_csv", "write", "zipped",
]  # fmt: skip

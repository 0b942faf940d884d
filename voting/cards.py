"""Printable attendance tickets: A4 sheets of eight cards, cut along the dashed lines.

Each card carries the event's title, the ticket code in large type, a QR code that opens
the event with the code filled in, the role if the ticket has one, and one line of
instructions in Dutch, French and English (a hall in Belgium reads all three). The HTML
is turned into a PDF by WeasyPrint.
"""

from __future__ import annotations

import base64
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from voting import qr
from voting.i18n import LANGUAGES, mark, translator
from voting.models import Event
from voting.paths import TEMPLATES
from voting.tickets import INSTRUCTIONS, grouped, ticket_url

CARDS_PER_SHEET = 8  # 2 columns × 4 rows of 105 × 74 mm
ROLE = mark("Role")
TICKET = mark("Attendance ticket")


def html(event: Event, tickets: list[tuple[str, str | None]], base: str) -> str:
    """The sheets as one HTML document; `tickets` are (code, role) pairs."""
    join = f"{base}/j/{event.code}".split("://", 1)[-1]
    words = [translator(language) for language in LANGUAGES]
    cards = [
        {
            "code": grouped(code),
            "role": role,
            "qr": _data_uri(qr.svg(ticket_url(base, event, code))),
        }
        for code, role in tickets
    ]
    sheets = [cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
    context: dict[str, Any] = {
        "title": event.title,
        "sheets": [[sheet[i : i + 2] for i in range(0, len(sheet), 2)] for sheet in sheets],
        "instructions": [
            (language, translator(language)(INSTRUCTIONS).format(url=join)) for language in LANGUAGES
        ],
        "role_label": " · ".join(dict.fromkeys(_(ROLE) for _ in words)),
        "ticket_label": " · ".join(dict.fromkeys(_(TICKET) for _ in words)),
    }
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape())
    return environment.get_template("tickets.html").render(context)


def pdf(event: Event, tickets: list[tuple[str, str | None]], base: str) -> bytes:
    # Imported on use: WeasyPrint loads Pango and its fonts, and only this command needs it.
    from weasyprint import HTML

    document: bytes = HTML(string=html(event, tickets, base)).write_pdf()
    return document


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

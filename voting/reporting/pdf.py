"""The report as a PDF: the report page's own template rendered by WeasyPrint, with the
print style sheet (A4, page numbers and a footer in @page margin boxes).

Nothing is fetched from the network: the page's /static/ files are read from disk and
every other URL (but data: URIs, the logo's) is refused.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment

from voting.i18n import LANGUAGE_NAMES, translator
from voting.paths import STATIC
from voting.web.client_text import option_labels

BASE = "http://report.invalid/"


def reader_context(language: str) -> dict[str, Any]:
    """What voting.web.common.render() gives every page, for rendering without a request."""
    _ = translator(language)
    return {
        "_": _,
        "_n": _.count,
        "lang": language,
        "labels": option_labels(_),
        "client_text": json.dumps({}),
        "languages": LANGUAGE_NAMES,
        "number": lambda value: "–" if value is None else format_decimal(value, locale=language),
        "day": lambda iso: format_date(date.fromisoformat(iso[:10]), format="long", locale=language),
    }


def html(env: Environment, language: str, **context: Any) -> str:
    return env.get_template("report.html").render({**reader_context(language), "pdf": True, **context})


def render(page: str) -> bytes:
    """The HTML of a report page as PDF bytes (slow: call it off the event loop)."""
    from weasyprint import HTML  # imported on use: it loads Pango and its fonts
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class LocalFiles(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if url.startswith(BASE + "static/") and ".." not in path:
                file = STATIC / path.removeprefix("/static/")
                if file.is_file():
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": _type(file.suffix)})
            raise ValueError(f"not fetched for the report: {url}")

    document: bytes = HTML(string=page, base_url=BASE, url_fetcher=LocalFiles()).write_pdf()
    return document


def _type(suffix: str) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        suffix, "application/octet-stream"
    )

"""Where the templates and static files are, for a source checkout and an installed package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _asset_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


TEMPLATES = _asset_dir("templates")
STATIC = _asset_dir("static")
LOCALES = _PACKAGE / "locales"

"""The docs name every setting (as Datasette's tests check its documentation)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from voting.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("field", [f.name for f in fields(Settings)])
def test_the_readme_names_every_setting(field: str) -> None:
    assert f"VOTING_{field.upper()}" in (ROOT / "README.md").read_text(encoding="utf-8")


LIMITS = [
    "trusted_proxies", "new_participants_burst", "new_participants_per_minute",
    "code_lookups_per_minute", "login_attempts_per_minute", "login_attempts_total_per_minute",
    "ticket_guesses_per_minute", "slow_client_seconds", "request_header_seconds",
]


@pytest.mark.parametrize("field", LIMITS)
def test_the_security_doc_explains_every_limit(field: str) -> None:
    assert f"VOTING_{field.upper()}" in (ROOT / "docs" / "security.md").read_text(encoding="utf-8")

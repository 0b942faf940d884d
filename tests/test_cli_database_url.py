"""The event commands name a PostgreSQL database without the password of its URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.pg import drop_database, fresh_voting_database
from voting.cli import main


@pytest.fixture
def url_with_password(postgres_url: str) -> Iterator[str]:
    made = fresh_voting_database(postgres_url)
    try:
        # The test cluster trusts local logins, so the password is accepted and unused.
        yield made.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@", 1)
    finally:
        drop_database(made)


@pytest.mark.parametrize(
    "command",
    [
        ["event", "export", "NOPE42"],
        ["event", "tickets", "NOPE42", "--count", "2"],
        ["event", "report", "NOPE42", "--pdf", "{tmp}/report.pdf"],
    ],
)
def test_an_unknown_event_is_said_without_the_password(
    url_with_password: str, command: list[str], tmp_path: Path
) -> None:
    assert "s3cret-pw" in url_with_password
    arguments = [part.format(tmp=tmp_path) for part in command]
    result = CliRunner().invoke(main, [*arguments, "--db", url_with_password])
    assert result.exit_code == 1
    assert "there is no event with code 'NOPE42' in the database at" in result.output
    assert "s3cret-pw" not in result.output
    assert not (tmp_path / "report.pdf").exists()

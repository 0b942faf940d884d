"""The `voting` command through click's CliRunner: event create, event export, serve."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from voting import netaddr, qr
from voting import store as sql
from voting.cli import main
from voting.demo import DEMO_STATEMENTS, DEMO_TITLE
from voting.models import Event, Statement
from voting.security import verify_password
from voting.store import Store

LAN = "192.168.1.50"
PASSWORD_LINE = re.compile(r"Admin password \(shown once, stored hashed\): (\S+)")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No VOTING_* variable of the developer's shell may leak into these tests."""
    for name in list(os.environ):
        if name.startswith("VOTING_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(netaddr, "lan_address", lambda: LAN)


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what `serve` passes to uvicorn.run instead of starting a server."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    # Leave the test process's open-file limit alone; record what serve asks for.
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: None)
    return calls


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def statements_file(tmp_path: Path, text: str | bytes, name: str = "statements.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def stored(db: Path) -> list[tuple[Event, list[Statement]]]:
    """Every event in the database with its statements ([] when there is no database)."""
    if not db.exists():
        return []
    store = Store(str(db))
    try:
        return [(event, store.statements(event.id)) for event in store.events()]
    finally:
        store.close()


# -- event create -----------------------------------------------------------------------------


def test_create_prints_the_three_links_and_the_code(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Eerste stelling\nTweede stelling\n")
    result = run("event", "create", "--title", "Veiligheid", "--statements", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    [(event, statements)] = stored(db)
    assert re.fullmatch(r"\d{6}", event.code)
    assert event.title == "Veiligheid"
    assert [s.text for s in statements] == ["Eerste stelling", "Tweede stelling"]
    assert f"(code {event.code})" in result.output
    assert f"http://localhost:8000/j/{event.code}" in result.output
    assert f"http://localhost:8000/p/{event.code}" in result.output
    assert f"http://localhost:8000/m/{event.code}?token={event.moderator_token}" in result.output


def test_create_json_has_exactly_the_code_and_three_links(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\n")
    result = run(
        "event", "create", "--title", "T", "--statements", str(source), "--db", str(db), "--json"
    )
    assert result.exit_code == 0, result.output
    links = json.loads(result.output)
    [(event, _)] = stored(db)
    assert links == {
        "code": event.code,
        "participant_url": f"http://localhost:8000/j/{event.code}",
        "projector_url": f"http://localhost:8000/p/{event.code}",
        "moderator_url": f"http://localhost:8000/m/{event.code}?token={event.moderator_token}",
    }
    assert "?token=" in links["moderator_url"]


def test_create_keeps_order_and_skips_blank_lines_and_comments(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(
        tmp_path,
        "# Stellingen voor de avond\n\nDerde eerst\n   \n  # ingesprongen commentaar\n"
        "  Dan   de   eerste  \r\nEn de tweede\n\n",
    )
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    [(_, statements)] = stored(db)
    assert [s.text for s in statements] == ["Derde eerst", "Dan de eerste", "En de tweede"]
    assert [s.position for s in statements] == [0, 1, 2]


def test_create_ignores_a_byte_order_mark(tmp_path: Path) -> None:
    # Notepad saves "UTF-8 with BOM": the first line's comment must still be a comment.
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "\ufeff# commentaar\nEen stelling\n".encode())
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    [(_, statements)] = stored(db)
    assert [s.text for s in statements] == ["Een stelling"]


def test_create_applies_the_scale_to_every_statement(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\nTwee\n")
    result = run(
        "event", "create", "--title", "T", "--statements", str(source), "--db", str(db),
        "--scale", "yesno",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [(_, statements)] = stored(db)
    assert [s.scale for s in statements] == ["yesno", "yesno"]


def test_create_uses_the_default_scale_without_option(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\n")
    assert run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db)).exit_code == 0
    [(_, statements)] = stored(db)
    assert [s.scale for s in statements] == ["likert5"]


def test_create_public_url_is_the_base_of_the_links(tmp_path: Path) -> None:
    source = statements_file(tmp_path, "Een\n")
    result = run(
        "event", "create", "--title", "T", "--statements", str(source), "--db", str(tmp_path / "v.db"),
        "--public-url", "https://vote.example.org/", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    links = json.loads(result.output)
    assert links["participant_url"] == f"https://vote.example.org/j/{links['code']}"
    assert links["projector_url"] == f"https://vote.example.org/p/{links['code']}"
    assert links["moderator_url"].startswith(f"https://vote.example.org/m/{links['code']}?token=")


def test_create_honours_voting_db(tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    source = statements_file(tmp_path, "Een\n")
    result = run(
        "event", "create", "--title", "T", "--statements", str(source), "--json",
        env={"VOTING_DB": str(db)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [(event, _)] = stored(db)
    assert json.loads(result.output)["code"] == event.code


def test_create_then_serve_still_shows_the_admin_password(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    # `event create` on a new database must not swallow the one-time admin password.
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\n")
    created = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert created.exit_code == 0, created.output
    assert "password" not in created.output.lower()
    served = run("serve", "--db", str(db))
    assert served.exit_code == 0, served.output
    match = PASSWORD_LINE.search(served.output)
    assert match is not None, served.output
    store = Store(str(db))
    password_hash = store.setting("admin_password_hash")
    store.close()
    assert password_hash is not None and verify_password(password_hash, match.group(1))


@pytest.mark.parametrize(
    "content",
    ["", "\n\n   \n", "# alleen commentaar\n# nog meer\n\n"],
    ids=["empty", "blank", "comments"],
)
def test_create_refuses_a_file_without_statements(tmp_path: Path, content: str) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, content)
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code != 0
    assert "holds no statements" in result.output
    assert str(source) in result.output
    assert stored(db) == []


def test_create_refuses_a_statement_over_280_characters(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Kort genoeg\n" + "x" * 281 + "\n")
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code != 0
    assert "at most 280 characters (this one has 281)" in result.output
    assert stored(db) == []


def test_create_accepts_a_statement_of_exactly_280_characters(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "x" * 280 + "\n")
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    [(_, statements)] = stored(db)
    assert len(statements[0].text) == 280


def test_create_refuses_an_unknown_scale(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\n")
    result = run(
        "event", "create", "--title", "T", "--statements", str(source), "--db", str(db),
        "--scale", "likert7",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "likert7" in result.output and "--scale" in result.output
    assert stored(db) == []


def test_create_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Één stelling in Latin-1\n".encode("latin-1"))
    result = run("event", "create", "--title", "T", "--statements", str(source), "--db", str(db))
    assert result.exit_code != 0
    assert "is not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    assert stored(db) == []


def test_create_refuses_a_missing_file(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    missing = tmp_path / "nope.txt"
    result = run("event", "create", "--title", "T", "--statements", str(missing), "--db", str(db))
    assert result.exit_code == 2
    assert "nope.txt" in result.output and "does not exist" in result.output
    assert stored(db) == []


def test_create_refuses_a_blank_title(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    source = statements_file(tmp_path, "Een\n")
    result = run("event", "create", "--title", "   ", "--statements", str(source), "--db", str(db))
    assert result.exit_code != 0
    assert "An event needs a title." in result.output
    assert stored(db) == []


# -- event export -----------------------------------------------------------------------------

SECRET_A = "pid-alice-Zq8xW3"
SECRET_B = "pid-bob-Kp2mR7"


@pytest.fixture
def voted(tmp_path: Path) -> tuple[Path, Event, list[Statement]]:
    """An event with two statements and votes from two participants."""
    db = tmp_path / "v.db"
    store = Store(str(db))
    event = store.write(sql.insert_event, "Veiligheid", ["Eén euro in preventie", "=1+1"], "likert5")
    first, second = store.statements(event.id)
    for pid in (SECRET_A, SECRET_B):
        store.write(sql.insert_participant, event.id, pid)
    store.write(sql.insert_vote, first.id, SECRET_A, "agree")
    store.write(sql.insert_vote, first.id, SECRET_B, "disagree")
    store.write(sql.insert_vote, first.id, SECRET_B, "strongly_agree")  # changed: latest counts
    store.write(sql.insert_vote, second.id, SECRET_A, "pass")
    store.write(sql.insert_vote, second.id, SECRET_B, "neutral")
    store.close()
    return db, event, [first, second]


def test_export_json_has_results_per_statement_and_anonymous_votes(
    voted: tuple[Path, Event, list[Statement]],
) -> None:
    db, event, (first, second) = voted
    result = run("event", "export", event.code, "--format", "json", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert SECRET_A not in result.output and SECRET_B not in result.output
    data = json.loads(result.output)
    assert data["event"]["code"] == event.code
    assert data["event"]["title"] == "Veiligheid"
    assert data["event"]["participants"] == 2
    one, two = data["statements"]
    assert (one["position"], one["text"], one["scale"]) == (1, "Eén euro in preventie", "likert5")
    assert one["results"]["voters"] == 2
    assert one["results"]["counts"] == {
        "strongly_disagree": 0, "disagree": 0, "neutral": 0, "agree": 1, "strongly_agree": 1,
    }  # fmt: skip
    assert one["results"]["percent"]["agree"] == 50.0
    assert one["results"]["percent"]["strongly_agree"] == 50.0
    assert two["position"] == 2
    assert two["results"]["pass"] == 1
    assert two["results"]["percent"]["neutral"] == 100.0
    # Participants are numbered, consistently across statements.
    by_option = {v["option"]: v["participant"] for v in one["votes"]}
    assert sorted(by_option) == ["agree", "strongly_agree"]
    assert set(by_option.values()) == {1, 2}
    alice, bob = by_option["agree"], by_option["strongly_agree"]
    assert {v["option"]: v["participant"] for v in two["votes"]} == {"pass": alice, "neutral": bob}


def test_export_defaults_to_json(voted: tuple[Path, Event, list[Statement]]) -> None:
    db, event, _ = voted
    result = run("event", "export", event.code, "--db", str(db))
    assert result.exit_code == 0, result.output
    assert [s["position"] for s in json.loads(result.output)["statements"]] == [1, 2]


def test_export_csv_has_a_row_per_option_and_one_for_pass(
    voted: tuple[Path, Event, list[Statement]],
) -> None:
    db, event, _ = voted
    result = run("event", "export", event.code, "--format", "csv", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert SECRET_A not in result.output and SECRET_B not in result.output
    # Belgian Excel: a BOM, ";" between fields and "," as the decimal mark (nl, the default).
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["position", "statement", "scale", "round", "option", "score", "count", "percent"]
    assert len(rows) == 1 + 2 * 6
    first = rows[1:7]
    assert [r[4] for r in first] == [
        "strongly_disagree", "disagree", "neutral", "agree", "strongly_agree", "pass",
    ]  # fmt: skip
    assert first[3] == ["1", "Eén euro in preventie", "likert5", "1", "agree", "1", "1", "50,0"]
    assert first[4] == ["1", "Eén euro in preventie", "likert5", "1", "strongly_agree", "2", "1", "50,0"]
    assert first[5] == ["1", "Eén euro in preventie", "likert5", "1", "pass", "", "0", ""]
    second = rows[7:]
    # A statement that looks like a formula is defused for spreadsheets.
    assert {r[1] for r in second} == {"'=1+1"}
    assert second[2][4:] == ["neutral", "0", "1", "100,0"]
    assert second[5][4:] == ["pass", "", "1", ""]


def test_export_csv_in_english_uses_comma_and_point(voted: tuple[Path, Event, list[Statement]]) -> None:
    db, event, _ = voted
    result = run("event", "export", event.code, "--format", "csv", "--language", "en", "--db", str(db))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[4] == ["1", "Eén euro in preventie", "likert5", "1", "agree", "1", "1", "50.0"]


@pytest.mark.parametrize("fmt", ["xlsx", "zip", "polis"])
def test_export_binary_formats_to_a_file(
    voted: tuple[Path, Event, list[Statement]], tmp_path: Path, fmt: str
) -> None:
    db, event, _ = voted
    out = tmp_path / f"out.{fmt}"
    result = run("event", "export", event.code, "--format", fmt, "--output", str(out), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b""
    assert out.read_bytes()[:2] == b"PK"  # a workbook is a zip too
    again = run("event", "export", event.code, "--format", fmt, "--db", str(db))  # to standard output
    assert again.stdout_bytes == out.read_bytes()  # the same data, the same bytes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "'pdf' is not one of"),
        (["--language", "de"], "'de' is not one of"),
    ],
)
def test_export_refuses_unknown_formats_and_languages_writing_nothing(
    voted: tuple[Path, Event, list[Statement]], tmp_path: Path, args: list[str], message: str
) -> None:
    db, event, _ = voted
    out = tmp_path / "out"
    result = run("event", "export", event.code, *args, "--output", str(out), "--db", str(db))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_export_honours_voting_db(voted: tuple[Path, Event, list[Statement]]) -> None:
    db, event, _ = voted
    result = run("event", "export", event.code, env={"VOTING_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["event"]["code"] == event.code


def test_export_of_an_unknown_code_fails_naming_it(voted: tuple[Path, Event, list[Statement]]) -> None:
    db, event, _ = voted
    unknown = "000000" if event.code != "000000" else "000001"
    result = run("event", "export", unknown, "--db", str(db))
    assert result.exit_code == 1
    assert f"there is no event with code {unknown!r}" in result.output
    out = db.parent / "never.xlsx"
    result = run("event", "export", unknown, "--format", "xlsx", "--output", str(out), "--db", str(db))
    assert result.exit_code == 1 and not out.exists()


# -- serve ------------------------------------------------------------------------------------


def only_event(db: Path) -> tuple[Event, list[Statement]]:
    [(event, statements)] = stored(db)
    return event, statements


def test_serve_creates_the_demo_event_and_prints_its_links(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    result = run("serve", "--db", str(db))
    assert result.exit_code == 0, result.output
    event, statements = only_event(db)
    assert event.title == DEMO_TITLE
    assert 8 <= len(statements) <= 12
    assert [s.text for s in statements] == DEMO_STATEMENTS
    assert any("gemeente" in s.text for s in statements)  # the Dutch deck
    base = f"http://{LAN}:8000"
    assert f"Organiser: {base}/admin" in result.output
    assert f"{base}/j/{event.code}" in result.output
    assert f"{base}/p/{event.code}" in result.output
    assert f"{base}/m/{event.code}?token={event.moderator_token}" in result.output
    assert f"(code {event.code})" in result.output
    [call] = uvicorn_calls
    assert (call["host"], call["port"]) == ("0.0.0.0", 8000)


def test_serve_draws_the_join_qr_code_in_the_terminal(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    result = run("serve", "--db", str(db))
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    drawing = qr.terminal(f"http://{LAN}:8000/j/{event.code}")
    assert drawing in result.output
    block_lines = [line for line in drawing.splitlines() if "█" in line]
    assert len(block_lines) >= 10  # a real matrix, not an empty string


def test_serve_prints_the_admin_password_once(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    first = run("serve", "--db", str(db))
    assert first.exit_code == 0, first.output
    match = PASSWORD_LINE.search(first.output)
    assert match is not None, first.output
    store = Store(str(db))
    password_hash = store.setting("admin_password_hash")
    store.close()
    assert password_hash is not None and verify_password(password_hash, match.group(1))
    assert match.group(1) not in password_hash  # stored hashed, not in clear

    second = run("serve", "--db", str(db))
    assert second.exit_code == 0, second.output
    assert "password" not in second.output.lower()
    assert len(stored(db)) == 1  # and no second demo event
    assert "Organiser:" in second.output


def test_serve_passes_host_and_port_and_uses_them_in_links(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    result = run("serve", "--host", "127.0.0.1", "--port", "8123", "--db", str(db))
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    assert "Organiser: http://127.0.0.1:8123/admin" in result.output
    assert f"http://127.0.0.1:8123/j/{event.code}" in result.output
    assert f"http://127.0.0.1:8123/p/{event.code}" in result.output
    assert f"http://127.0.0.1:8123/m/{event.code}?token={event.moderator_token}" in result.output
    assert LAN not in result.output
    [call] = uvicorn_calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)


def test_serve_public_url_is_the_base_of_the_links(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    result = run("serve", "--public-url", "https://vote.example.org", "--db", str(db))
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    assert "Organiser: https://vote.example.org/admin" in result.output
    assert f"https://vote.example.org/j/{event.code}" in result.output
    assert f"https://vote.example.org/p/{event.code}" in result.output
    assert f"https://vote.example.org/m/{event.code}?token={event.moderator_token}" in result.output
    assert qr.terminal(f"https://vote.example.org/j/{event.code}") in result.output
    assert LAN not in result.output and ":8000" not in result.output


def test_serve_on_all_interfaces_links_to_the_lan_address(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    result = run("serve", "--host", "0.0.0.0", "--port", "9000", "--db", str(db))
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    assert f"http://{LAN}:9000/j/{event.code}" in result.output
    assert "0.0.0.0" not in result.output


def test_serve_runs_uvicorn_without_per_message_deflate(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    result = run("serve", "--db", str(tmp_path / "v.db"))
    assert result.exit_code == 0, result.output
    [call] = uvicorn_calls
    assert call["ws_per_message_deflate"] is False
    assert callable(call["app"])  # the ASGI app itself, built for this database


def test_serve_honours_voting_environment_variables(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "env.db"
    env = {"VOTING_DB": str(db), "VOTING_HOST": "127.0.0.1", "VOTING_PORT": "8124"}
    result = run("serve", env=env)
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    assert f"http://127.0.0.1:8124/j/{event.code}" in result.output
    assert [(c["host"], c["port"]) for c in uvicorn_calls] == [("127.0.0.1", 8124)]


def test_voting_without_a_command_serves(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    db = tmp_path / "v.db"
    result = run(env={"VOTING_DB": str(db), "VOTING_HOST": "127.0.0.1", "VOTING_PORT": "8125"})
    assert result.exit_code == 0, result.output
    event, _ = only_event(db)
    assert event.title == DEMO_TITLE
    assert PASSWORD_LINE.search(result.output) is not None
    assert "Organiser: http://127.0.0.1:8125/admin" in result.output
    assert f"http://127.0.0.1:8125/m/{event.code}?token={event.moderator_token}" in result.output
    [call] = uvicorn_calls
    assert (call["host"], call["port"], call["ws_per_message_deflate"]) == ("127.0.0.1", 8125, False)


def test_serve_on_an_existing_event_prints_its_links_without_a_demo(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    db = tmp_path / "v.db"
    store = Store(str(db))
    event = store.write(sql.insert_event, "Eigen avond", ["Een"], "yesno")
    store.close()
    result = run("serve", "--host", "127.0.0.1", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert [e.title for e, _ in stored(db)] == ["Eigen avond"]
    assert f"http://127.0.0.1:8000/j/{event.code}" in result.output


def test_serve_raises_the_open_file_limit_where_allowed(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS reports an unlimited hard limit but refuses it as a soft limit (ValueError).
    unlimited = 2**63 - 1
    applied: list[tuple[int, int]] = []

    def setrlimit(kind: int, limits: tuple[int, int]) -> None:
        if limits[0] > 10_240:
            raise ValueError("current limit exceeds maximum limit")
        applied.append(limits)

    monkeypatch.setattr(resource, "getrlimit", lambda kind: (256, unlimited))
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    result = run("serve", "--db", str(tmp_path / "v.db"))
    assert result.exit_code == 0, result.output
    assert len(uvicorn_calls) == 1
    assert applied == [(10_240, unlimited)]


def test_serve_raises_the_soft_open_file_limit_to_the_hard_one(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda kind: (1024, 524_288))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: applied.append(limits))
    assert run("serve", "--db", str(tmp_path / "v.db")).exit_code == 0
    assert applied == [(524_288, 524_288)]


def test_python_dash_m_voting_help() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "voting", "--help"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Usage:" in completed.stdout
    for command in ("serve", "event"):
        assert command in completed.stdout


@pytest.mark.parametrize("module", ["voting.cli", "voting.app"])
def test_the_command_and_the_server_start_without_the_heavy_libraries(module: str) -> None:
    """`voting --help` and every command's start stay fast, and every server process stays
    small (~40 MB, not ~170): NumPy, scikit-learn, openpyxl and WeasyPrint load only when a
    command, an export, a report or the map's worker process needs them."""
    import subprocess
    import sys

    heavy = ("numpy", "sklearn", "openpyxl", "weasyprint")
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print([m for m in {heavy!r} if m in sys.modules])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert loaded == "[]"

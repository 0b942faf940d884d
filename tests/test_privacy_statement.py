"""The anonymity statement (templates/_anonymity.html) is on the join screens, in three
languages, and what it says is true: no IP address in the database, no vote in the logs."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import uvicorn
from websockets.sync.client import connect

from tests.conftest import Env
from tests.server import HOST, free_port, http_get, http_request
from voting import store as sql
from voting.app import create_app
from voting.settings import Settings
from voting.store import Store

LIKERT = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
SUMMARY = {
    "en": "Anonymous: no name, no account.",
    "nl": "Anoniem: geen naam, geen account.",
    "fr": "Anonyme : pas de nom, pas de compte.",
}


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_join_screen_and_the_role_question_say_what_is_stored(env: Env, language: str) -> None:
    store = Store(env.db)
    store.write(sql.insert_event, "Rollen", ["Eerste"], "likert5", ["Politie", "Justitie"])
    events = store.events()
    store.close()
    headers = {"accept-language": language}
    with env.client() as client:
        join = client.get("/", headers=headers).text
        role = client.get(f"/j/{events[0].code}", headers=headers).text
    for page in (join, role):
        assert page.count("data-anonymity") == 1 or "data-anonymity" in page
        assert SUMMARY[language] in page
        assert "<details" in page  # one line; the rest behind "What is stored?"
    section = re.search(r'<section class="role-choice".*?</section>', role, re.S)
    assert section is not None and SUMMARY[language] in section.group(0)


def _serve(settings: Settings) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(
        create_app(settings), host=HOST, port=settings.port, ws="websockets-sansio",
        log_config=None, log_level="debug", access_log=True,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    return server, thread


def test_an_evening_leaves_no_vote_in_the_logs_and_no_address_in_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything uvicorn and voting log, access log included
    db = str(tmp_path / "log.db")
    store = Store(db)
    event = store.write(sql.insert_event, "Avond", ["Eerste", "Tweede"], "likert5", ["Politie", "Justitie"])
    first, second = (s.id for s in store.statements(event.id))
    store.close()
    settings = Settings(db=db, demo=False, admin_password="pw", host=HOST, port=free_port())
    server, thread = _serve(settings)
    origin = {"Origin": f"http://{HOST}:{settings.port}"}
    try:
        status, cookies = http_get(settings.port, f"/m/{event.code}?token={event.moderator_token}")
        moderator = connect(
            f"ws://{HOST}:{settings.port}/ws/{event.code}?role=moderator",
            additional_headers={"Cookie": f"voting={cookies['voting']}", **origin},
        )
        with moderator:
            for message in ({"type": "goto", "statement": first}, {"type": "voting", "open": True}):
                moderator.send(json.dumps(message))
            time.sleep(0.3)
            for i, option in enumerate(LIKERT * 2):
                _, phone = http_get(settings.port, f"/j/{event.code}")
                cookie = {"Cookie": f"voting={phone['voting']}", **origin}
                with connect(
                    f"ws://{HOST}:{settings.port}/ws/{event.code}?role=participant", additional_headers=cookie
                ) as ws:
                    ws.send(json.dumps({"type": "role", "role": "Justitie" if i == 0 else "Politie"}))
                    ws.send(json.dumps({"type": "vote", "statement": first, "option": option}))
                    ws.send(
                        json.dumps({"type": "comment", "statement": first, "text": "Goed idee", "name": None})
                    )
                    while json.loads(ws.recv(timeout=5))["type"] != "comment.ack":
                        pass
                # The same phone votes once more without its socket: the form post.
                body = urllib.parse.urlencode({"statement": first, "option": option}).encode()
                form = {**cookie, "Content-Type": "application/x-www-form-urlencoded"}
                assert http_request(settings.port, "POST", f"/j/{event.code}/vote", form, body)[0] == 303
            moderator.send(json.dumps({"type": "goto", "statement": second}))
            time.sleep(0.3)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    # The server's records (the test's own client logs its frames under websockets.client).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("websockets"))
    assert "< TEXT [" in logged  # frames were logged at debug, without their text
    assert f"/j/{event.code}/vote" in logged  # the access log was on
    for option in LIKERT:
        assert option not in logged, f"{option!r} in the logs"
    # What the database holds: no client address anywhere, not in any column of any table.
    conn = sqlite3.connect(db)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(repr(row) for table in tables for row in conn.execute(f'SELECT * FROM "{table}"'))
        votes = conn.execute("SELECT count(*) FROM votes").fetchone()[0]
    finally:
        conn.close()
    assert votes == 10 and "agree" in dump  # the votes are there, so the dump is real
    assert HOST not in dump and "localhost" not in dump

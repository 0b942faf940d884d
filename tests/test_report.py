"""The report (issue 13): findings in sentences, the facts, the overview table, the
metrics in words, "not discussed", unpublished comments, the room's privacy rules, the
reader's language, the opinion groups.

The moderator's edits (place, organiser, logo): tests/test_report_edits.py. PDF and CLI:
tests/test_report_pdf.py. In a browser: tests/e2e/test_report.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, Env, moderate
from voting import store as sql
from voting.export import results
from voting.live import Room
from voting.models import Event
from voting.store import Store

ENGLISH = {"accept-language": "en"}
ROLES = ["Burgemeester", "Politie", "Justitie"]
ROLE_FR = {"Burgemeester": {"fr": "Bourgmestre"}, "Politie": {"fr": "Police"}, "Justitie": {"fr": "Justice"}}
STATEMENTS = [
    ("Elke gemeente krijgt een handhavingsambtenaar.", "Chaque commune reçoit un agent de contrôle."),
    ("Meer camera's op pleinen.", "Plus de caméras sur les places."),
    ("Een gedeelde databank per zone.", "Une base de données partagée par zone."),
    ("Meer jeugdwerkers in de wijken.", "Plus d'éducateurs de rue dans les quartiers."),
]
# Statement 1: the room agrees (so do the roles). Statement 2: mayors for, police against;
# in round 2 two police officers move to neutral. Statement 3 is skipped. Statement 4:
# the room splits. With the room's minimum of 2, a role is shown on its own from 4 voters:
# Burgemeester and Politie are; Justitie (2) and those without a role (2) are shown
# together, in words.
PEOPLE = [("b1", "Burgemeester"), ("b2", "Burgemeester"), ("b3", "Burgemeester"), ("b4", "Burgemeester"),
          ("p1", "Politie"), ("p2", "Politie"), ("p3", "Politie"), ("p4", "Politie"),
          ("j1", "Justitie"), ("j2", "Justitie"), ("x1", None), ("x2", None)]  # fmt: skip
VOTES = {
    0: {"b1": "agree", "b2": "strongly_agree", "b3": "agree", "b4": "agree", "p1": "agree",
        "p2": "agree", "p3": "strongly_agree", "p4": "agree", "j1": "agree", "j2": "neutral",
        "x1": "agree", "x2": "pass"},
    1: {"b1": "strongly_agree", "b2": "strongly_agree", "b3": "agree", "b4": "strongly_agree",
        "p1": "strongly_disagree", "p2": "strongly_disagree", "p3": "disagree", "p4": "strongly_disagree",
        "j1": "neutral", "j2": "disagree", "x1": "pass", "x2": "agree"},
    3: {"b1": "strongly_agree", "b2": "strongly_disagree", "b3": "agree", "b4": "disagree",
        "p1": "strongly_agree", "p2": "strongly_disagree", "p3": "neutral", "p4": "disagree",
        "j1": "disagree", "j2": "agree", "x1": "agree", "x2": "strongly_disagree"},
}  # fmt: skip
ROUND_TWO = {**VOTES[1], "p1": "neutral", "p2": "neutral"}
COMMENTS = [  # (statement index, text, status)
    (0, "Eindelijk iemand die het opvolgt.", "published"),
    (0, "Wie betaalt dat?", "published"),
    (0, "Verborgen opmerking", "hidden"),
    (0, "Wachtende opmerking", "pending"),
    (1, "Privacy eerst.", "published"),
    (1, "Nog een wachtende", "pending"),
]


def evening(db: str, title: str = "Zonale veiligheidsraad") -> Event:
    """A scripted evening in the database `db` (see PEOPLE, VOTES, COMMENTS)."""
    store = Store(db)
    try:
        event: Event = store.write(
            sql.insert_event, title, [nl for nl, _ in STATEMENTS], "likert5", ROLES,
            [{"fr": fr} for _, fr in STATEMENTS], ROLE_FR,
        )  # fmt: skip
        ids = [s.id for s in store.statements(event.id)]
        for pid, role in PEOPLE:
            store.write(sql.set_role, event.id, pid, role or "")
        for index, votes in VOTES.items():
            for pid, option in votes.items():
                store.write(sql.insert_vote, ids[index], pid, option)
        store.write(sql.set_round, ids[1], 2)
        for pid, option in ROUND_TWO.items():
            store.write(sql.insert_vote, ids[1], pid, option, 2)
        for index, text, status in COMMENTS:
            store.write(sql.insert_comment, ids[index], "b1", None, text, status)
        return event
    finally:
        store.close()


@pytest.fixture
def eenv(db: str) -> Env:
    return Env(db, evening(db))


@contextmanager
def moderator(env: Env, **settings: Any) -> Iterator[TestClient]:
    """The app (the room's minimum 2 unless given) with this client as the moderator."""
    settings.setdefault("role_minimum", 2)
    with env.client(**settings) as client:
        moderate(client, env.event)
        yield client


def text_of(html: str) -> str:
    """The page's text, tags dropped and whitespace collapsed (entities kept)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#34;", '"').replace("&#39;", "'")


def findings_of(html: str) -> str:
    return text_of(html.split('id="findings-heading"')[1].split("</section>")[0])


def export_of(env: Env) -> dict[str, Any]:
    store = Store(env.db)
    try:
        event = store.event_by_code(env.event.code)
        assert event is not None
        return results(store, Room.load(store, event))
    finally:
        store.close()


@pytest.mark.both_databases
def test_the_findings_say_it_in_sentences_with_the_exports_figures(eenv: Env) -> None:
    with moderator(eenv) as client:
        html = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH).text
    findings = findings_of(html)
    assert "12 participants joined and 12 of them voted." in findings
    assert (
        "By role: Burgemeester: 4 of 4; Politie: 4 of 4; smaller roles not shown." in findings  # sizes too
    )
    # The figures are the export's: shares are sums of its per-option percentages.
    first = export_of(eenv)["statements"][0]["results"]
    agree = first["percent"]["agree"] + first["percent"]["strongly_agree"]
    assert f"{round(agree)}%" == "91%"
    assert (
        "The broadest agreement was on statement 1 (“Elke gemeente krijgt een handhavingsambtenaar.”):"
        f" 91% agreed and 0% disagreed (consensus {first['consensus']})." in findings
    )
    assert "The roles did not differ much on it." in findings
    assert (
        "Roles differed most on statement 2 (“Meer camera's op pleinen.”): Burgemeester averaged +1.75,"
        " Politie -0.75 (on a scale from -2 to +2)." in findings
    )
    assert "The second round moved the gap from 3.5 to 2.5." in findings
    assert (
        "a second vote on statement 2 (“Meer camera's op pleinen.”) changed 2 of 12 votes:"
        " 2 towards agree, 0 towards disagree." in findings
    )
    fourth = export_of(eenv)["statements"][3]["results"]
    divided = "The room was most divided on statement 4 (“Meer jeugdwerkers in de wijken.”):"
    assert f"{divided} 42% agreed, 50% disagreed (consensus {fourth['consensus']})." in findings
    items = html.split('id="findings-heading"')[1].split("</section>")[0].count("<li>")
    assert 3 <= items <= 6


def finding_entry(number: int, counts: dict[str, int], means: dict[str, float] | None) -> dict[str, Any]:
    """A statement as findings.build reads it; `means`: two roles' mean scores."""
    from voting.models import SCALES
    from voting.results import summarize

    results = summarize(SCALES["likert5"], counts)
    split = [{"role": r, "voters": 5, "results": {**results, "mean": m}} for r, m in (means or {}).items()]
    gap = None
    if means:
        (high, a), (low, b) = sorted(means.items(), key=lambda item: -item[1])
        gap = {"roles": [high, low], "mean_gap": round(a - b, 2), "agreement_gap": 0}
    return {
        "number": number, "text": f"S{number}", "scale": "likert5", "results": results,
        "consensus": results["consensus"], "gap": gap, "gaps": [gap], "splits": [split], "shift": None,
    }  # fmt: skip


def test_a_statement_whose_roles_diverge_is_never_called_the_common_ground() -> None:
    from voting.i18n import translator
    from voting.reporting import findings

    room = Room(Event(1, "123456", "T", "t", "2026-12-01T19:00:00+00:00", roles=["A", "B"]), [])
    turnout = {"joined": 10, "voted": 10, "roles": [], "hidden": False}
    # S1 has the higher consensus for the room, but A and B are 1.5 points apart.
    agreed_but_split = finding_entry(1, {"agree": 9, "strongly_agree": 1}, {"A": 1.6, "B": 0.1})
    calm = finding_entry(2, {"agree": 6, "neutral": 3, "disagree": 1}, {"A": 0.5, "B": 0.4})
    assert agreed_but_split["consensus"] > calm["consensus"]
    sentences = findings.build([agreed_but_split, calm], turnout, room, translator("en"), "en")
    assert "The broadest agreement was on statement 2 (“S2”)" in sentences[1]
    assert not any("broadest agreement was on statement 1" in s for s in sentences)
    # When every candidate's roles diverge, the sentence says so instead.
    sentences = findings.build([agreed_but_split], turnout, room, translator("en"), "en")
    assert sentences[1] == (
        "On statement 1 (“S1”) the room as a whole leaned one way (100% agreed, 0% disagreed,"
        f" consensus {agreed_but_split['consensus']}), but the roles did not: A averaged +1.6, B +0.1."
    )


def overview_of(html: str) -> str:
    return text_of(html.split('id="overview-heading"')[1].split("</section>")[0])


def test_one_overview_table_with_roles_and_rounds_side_by_side(eenv: Env) -> None:
    with moderator(eenv) as client:
        html = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH).text
    table = overview_of(html)
    assert "Round 1 Round 2 Agree Neutral Disagree n Agree Neutral Disagree n" in table
    # Statement 2: the room in both rounds, then each role in both rounds.
    assert "2. Meer camera's op pleinen. 46% 9% 46% 12 46% 27% 27% 12" in table
    assert "Politie 0% 0% 100% 4 0% 50% 50% 4" in table
    # Justitie (2) and those without a role (2) are shown together, in words (voting/privacy.py).
    assert "All other roles together divided divided" in table and "Justitie" not in table
    assert "A role is shown on its own only with at least 4 voters" in table
    # The statement nobody voted on is listed, not charted.
    assert "Not discussed 3. Een gedeelde databank per zone." in table
    assert html.count("<svg") == 1 + (1 + 3) + (2 + 3) + (1 + 3)  # legend; charts and role rows


def test_metrics_come_with_plain_words_and_comments_are_counted(eenv: Env) -> None:
    with moderator(eenv) as client:
        html = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH).text
    page = text_of(html)
    assert "Consensus 0.818 Nearly everyone gave the same or a neighbouring answer" in page
    assert "Agreement 90.9 91% agreed and 0% disagreed: the difference, in percentage points." in page
    assert "Polarisation 0.417 42% chose one of the two extreme answers." in page
    assert "2 more comments were not published." in page and "1 more comment was not published." in page
    assert "Largest gap: Burgemeester vs Politie (mean 2.5) — the roles diverge" in page
    assert "Largest gap: Burgemeester vs Politie (mean 0) — a small difference" in page
    assert (
        "Wie betaalt dat?" in page and "Verborgen opmerking" not in page and "Wachtende opmerking" not in page
    )
    method = text_of(html.split('id="method-heading"')[1])
    assert "van der Eijk" in method and "chose their role themselves" in method
    assert 'class="anonymity"' in html.split('id="method-heading"')[1]  # the anonymity statement


def test_the_shared_link_follows_the_rooms_rules_and_the_moderator_may_see_exact_figures(eenv: Env) -> None:
    with moderator(eenv) as client:
        exact = overview_of(client.get(f"/m/{eenv.event.code}/report?exact=1", headers=ENGLISH).text)
        assert "Justitie 50% 50% 0% 2" in exact and "All other roles together" not in exact
        assert client.post(f"/m/{eenv.event.code}/report/share", data={"shared": "1"}).status_code == 200
        store = Store(eenv.db)
        event = store.event_by_code(eenv.event.code)
        store.close()
        assert event is not None and event.report_token
        client.cookies.clear()  # a reader with the link, not the moderator
        shared = client.get(f"/r/{event.report_token}?exact=1", headers=ENGLISH).text
        assert "Justitie" not in overview_of(shared) and "All other roles together" in overview_of(shared)
        assert "Exact figures (only for you)" not in shared and "report/facts" not in shared
        assert client.get(f"/m/{eenv.event.code}/report?exact=1").status_code == 403


def test_the_report_speaks_french_and_can_show_dutch_and_french_side_by_side(eenv: Env) -> None:
    with moderator(eenv) as client:
        french = client.get(f"/m/{eenv.event.code}/report?lang=fr").text
        both = client.get(f"/m/{eenv.event.code}/report?lang=en&both=1").text
    page = text_of(french)
    assert "Plus de caméras sur les places." in page and "Meer camera" not in page
    assert "Non abordées 3. Une base de données partagée par zone." in page
    assert "Bourgmestre en moyenne +1,75, Police -0,75" in findings_of(french)
    assert "2 autres commentaires n’ont pas été publiés." in page
    findings = both.split('id="findings-heading"')[1].split("</section>")[0]
    assert '<ul lang="nl">' in findings and '<ul lang="fr">' in findings
    assert "De breedste overeenstemming was er over stelling 1" in findings
    assert "Le plus large accord portait sur l’affirmation 1 (« Chaque commune" in findings
    assert '<span lang="fr">Plus de caméras sur les places.</span>' in both


def test_an_unknown_or_deleted_event_is_a_clear_404(eenv: Env) -> None:
    with moderator(eenv) as client:
        for path in ("/m/999999/report", "/m/999999/report.pdf", "/r/nope", "/r/nope.pdf"):
            response = client.get(path, headers=ENGLISH)
            assert response.status_code == 404, path
        client.post(
            "/admin/login", data={"password": ADMIN_PASSWORD}, headers={"origin": "http://testserver"}
        )
        code = eenv.event.code
        deleted = client.post(f"/admin/events/{code}/delete", data={"confirm": code}, follow_redirects=False)
        assert deleted.headers["location"] == f"/admin?deleted={code}"
        gone = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH)
        assert gone.status_code == 404 and "There is no event with this code" in gone.text


def test_the_opinion_groups_are_shown_as_the_room_may_see_them(eenv: Env) -> None:
    from voting.i18n import translator
    from voting.reporting.opinion import section

    with moderator(eenv) as client:
        html = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH).text
    groups = text_of(html.split('id="map-heading"')[1].split("</section>")[0])
    assert "Group A: 6 participants mostly disagreed: 4. Meer jeugdwerkers in de wijken." in groups
    assert "Group B: 6 participants mostly agreed: 4. Meer jeugdwerkers in de wijken." in groups
    # Pol.is also names statement 1 as group A's, with 0 of its 6 disagreeing: not said.
    assert "1. Elke gemeente" not in groups
    assert "b1" not in groups and "Burgemeester" not in groups  # nobody, no roles
    full = {
        "status": "ok", "participants": 12, "texts": {},
        "groups": [
            {"id": 0, "members": 6, "representative": []},
            {"id": 1, "members": 2, "representative": []},
        ],
    }  # fmt: skip
    assert section(full, 2, translator("en"), "en") is not None
    assert section(full, 3, translator("en"), "en") is None  # one group left: nothing to compare


def test_the_facts_and_the_export_count_who_joined_in_which_language(eenv: Env) -> None:
    """Issue 13's "per language": the page language a phone joined in (the switcher's ?lang=,
    else the browser's), counted in the report's facts and the JSON export."""
    with moderator(eenv) as client:
        saved = dict(client.cookies)
        for query, headers in [("?lang=fr", {}), ("?lang=fr", ENGLISH), ("", {"accept-language": "fr-BE"}),
                               ("?lang=nl", {}), ("", {"accept-language": "nl"}), ("", ENGLISH)]:  # fmt: skip
            client.cookies.clear()
            assert client.get(f"/j/{eenv.event.code}{query}", headers=headers).status_code == 200
            again = client.get(f"/j/{eenv.event.code}?lang=en")  # a reload in another language
            assert again.status_code == 200
        client.cookies.clear()
        client.cookies.update(saved)
        html = client.get(f"/m/{eenv.event.code}/report", headers=ENGLISH).text
        exported = client.get(f"/m/{eenv.event.code}/export.json").json()
        french = client.get(f"/m/{eenv.event.code}/report?lang=fr").text
    assert "<dt>Language</dt>" in html
    assert "Français 3 · Nederlands 2 · English 1" in text_of(html)
    assert "<dt>Langue</dt>" in french
    assert exported["event"]["languages"] == {"fr": 3, "nl": 2, "en": 1}
    assert list(exported["event"]["languages"]) == ["fr", "nl", "en"]  # most first
    assert export_of(eenv)["event"]["languages"] == {"fr": 3, "nl": 2, "en": 1}

"""Texts the browser scripts show, translated on the server and handed to the page."""

from __future__ import annotations

from voting.i18n import Translate, Translator, mark, mark_n
from voting.privacy import ROOM_TEXT

OPTION_LABELS = {
    "strongly_disagree": mark("Strongly disagree"),
    "disagree": mark("Disagree"),
    "neutral": mark("Neutral"),
    "agree": mark("Agree"),
    "strongly_agree": mark("Strongly agree"),
    "no": mark("No"),
    "yes": mark("Yes"),
    "pass": mark("No opinion / pass"),
}

CLIENT_TEXT = {
    "saved": mark("Your vote is saved"),
    "sending": mark("Sending your vote…"),
    "pending": mark("Not saved yet: it will be sent when the connection is back"),
    "changeable": mark("You can change your vote while voting is open."),
    "voting_open": mark("Voting is open"),
    "voting_closed": mark("Voting is closed"),
    "closed_hint": mark("Voting is closed. Wait for the moderator."),
    "waiting": mark("Waiting for the next statement…"),
    "reconnecting": mark("Reconnecting…"),
    "offline": mark("No connection"),
    "results": mark("Results"),
    "results_hidden": mark("Results are hidden"),
    "voters": mark("votes"),
    "connected": mark("participants"),
    "statement_of": mark("Statement {n} of {total}"),
    "pass_count": mark("{n} × no opinion"),
    "agreement": mark("Agreement"),
    "consensus": mark("Consensus"),
    "mean": mark("Mean"),
    "no_votes": mark("No votes yet"),
    "confirm_reset": mark("Delete {votes} on “{text}”? You can undo this for a minute."),
    "confirm_delete": mark(
        "Delete “{text}” with its {votes} and {comments}? You can undo this for a minute."
    ),
    "error_not_current": mark("This statement is no longer open for voting."),
    "error_voting_closed": mark("Voting is closed."),
    "error_rate_limited": mark("Too fast: wait a moment and try again."),
    "error_generic": mark("Something went wrong. Try again."),
    "error_not_saved": mark("Not saved: the server cannot store votes right now. Retrying…"),
    "storage_failing": mark(
        "Storage is failing: votes and comments are NOT being saved. Phones keep retrying."
    ),
    "fatal_unknown_event": mark("This event no longer exists."),
    "fatal_forbidden": mark("You do not have access to this."),
    "edit": mark("Edit"),
    "save": mark("Save"),
    "cancel": mark("Cancel"),
    "delete": mark("Delete"),
    "show": mark("Show"),
    "move_up": mark("Move up"),
    "move_down": mark("Move down"),
    "on_screen": mark("On screen"),
    "sending_comment": mark("Sending your comment…"),
    "comment_sent": mark("Sent — waiting for the moderator"),
    "comment_published": mark("Published"),
    "comment_waiting": mark("Waiting for the moderator"),
    "anonymous": mark("Anonymous"),
    "me_too": mark("Me too · {n}"),
    "me_too_count": mark("{n} × me too"),
    "supporters": mark("{n} × me too"),
    "error_empty_comment": mark("Write something before sending."),
    "error_comment_too_long": mark("A comment can have at most 280 characters."),
    "error_comments_too_fast": mark("Too many comments: wait a minute."),
    "error_too_many_comments": mark("You have sent the most comments allowed on this statement."),
    "error_comments_off": mark("Comments are switched off."),
    "approve": mark("Approve"),
    "hide": mark("Hide"),
    "show_on_screen": mark("Show on screen"),
    "off_screen": mark("Take off screen"),
    "status_pending": mark("waiting"),
    "status_published": mark("published"),
    "status_hidden": mark("hidden"),
    "pending_count": mark("{n} waiting"),
    "no_role": mark("No role"),
    "too_few": mark("too few votes"),
    "round_label": mark("Round {n}"),
    "shift": mark("{changed} of {paired} changed their vote: {up} towards agree, {down} towards disagree"),
    # When votes moved to or from "no opinion" the three directions must still add up.
    "shift_pass": mark(
        "{changed} of {paired} changed their vote: {up} towards agree, {down} towards disagree,"
        " {other} to or from no opinion"
    ),
    "turnout": mark("{voters} of {participants} voted"),
    "gap": mark("Largest gap: {a} vs {b} (mean {gap})"),
    "no_gap": mark("No gap yet: too few votes per role"),
    "by_role": mark("By role"),
    "role_none": mark("No role given"),
    "text_in": mark("Text in {language}"),
    "tickets_used": mark("{redeemed} of {printed} tickets used"),
    "joins": mark("+{n} in the last minute"),
    "join_refused": mark("Looks like a script: {n} new identities refused in 5 minutes"),
    "join_surge": mark("Looks like a script: joining faster than a hall can"),
    "confirm_round": mark("Start a second round on this statement? Phones vote again; round 1 is kept."),
    # The phone (issue 10): a fresh ballot after a reset or a second round, the countdown,
    # the end screen.
    "ballot_reset": mark("Votes on this statement were reset: please vote again."),
    "round_again": mark("Round {n}: vote again"),
    "countdown_left": mark("{time} left to vote"),
    "thanks": mark("Thank you for taking part!"),
    "read_report": mark("Read the report"),
    "report_later": mark("The organiser will share the report afterwards."),
    # The projector (issue 10): where the report will be, on the end screen.
    "report_at": mark("The report: {url}"),
    # The moderator's cockpit (issue 10).
    "voted_of": mark("{voters} of {joined} voted"),
    "step_show": mark("Show statement {n}"),
    "step_open": mark("Open voting"),
    "step_close_and_show": mark("Close voting and show results"),
    "step_next": mark("Next statement"),
    "step_end": mark("Show the end screen"),
    "step_done": mark("The evening has ended"),
    "step_none": mark("Add a statement first"),
    "next_end": mark("After this: the end screen"),
    "screen_end": mark("end screen"),
    "screen_blank": mark("black screen"),
    "undo": mark("Undo"),
    "undo_reset": mark("Votes on “{text}” deleted"),
    "undo_delete": mark("“{text}” deleted"),
    "seconds_left": mark("{n} s"),
    "flag_edited": mark("edited after votes"),
    "flag_stale": mark("{language} may be outdated"),
    "flag_missing": mark("no {language}"),
    **ROOM_TEXT,  # the role split as the room sees it (voting/privacy.py)
}


def option_labels(_: Translate) -> dict[str, str]:
    return {key: _(label) for key, label in OPTION_LABELS.items()}


# Texts with a count: the scripts get `<key>_one` and `<key>_other` (the catalogue's singular
# and plural) and pick one with Intl.PluralRules(lang): French "0 vote", Dutch "0 stemmen".
PLURAL_TEXT = {
    "took_part": mark_n("{n} person took part", "{n} people took part"),  # the end screen
    "votes": mark_n("{n} vote", "{n} votes"),
    "comments": mark_n("{n} comment", "{n} comments"),
    "participants": mark_n("{n} participant", "{n} participants"),
}


def plural_text(_: Translator) -> dict[str, str]:
    forms = {}
    for key, (singular, plural) in PLURAL_TEXT.items():
        forms[f"{key}_one"] = _.ngettext(singular, plural, 1)
        forms[f"{key}_other"] = _.ngettext(singular, plural, 2)
    return forms


def client_text(_: Translator) -> dict[str, object]:
    return {
        **{key: _(text) for key, text in CLIENT_TEXT.items()},
        **plural_text(_),
        "options": option_labels(_),
    }

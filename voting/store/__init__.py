"""Storage (a SQLite file or PostgreSQL): connections and every query. With voting/schema.py (and
voting/store/undo.py for undo), the only SQL.

`Store` reads (voting/store/core.py); writes are plain functions of a connection
(`insert_vote(conn, ...)`, voting/store/writes.py and voting/store/tickets.py) that the app
runs through the batching `Writer` thread and the CLI with `Store.write`. Callers use
`from voting import store as sql` and `sql.insert_vote`.
"""

from voting.store.comments import insert_comment, post_comment, set_comment_status, set_support
from voting.store.core import Store, now
from voting.store.dialect import connect
from voting.store.tickets import insert_tickets, redeem_ticket, set_tickets_required
from voting.store.votes import cast_vote, cast_votes, check_ticket, insert_vote, votes_since
from voting.store.writes import (
    delete_event,
    delete_statement,
    delete_votes,
    insert_event,
    insert_participant,
    insert_statements,
    move_to,
    moved_to,
    put_setting,
    read_state,
    reorder_statements,
    reset_votes,
    save_state,
    set_report_token,
    set_role,
    set_roles,
    set_round,
    update_state,
    update_statement,
)

__all__ = [
    "Store", "connect", "now",
    "insert_tickets", "redeem_ticket", "set_tickets_required",
    "cast_vote", "cast_votes", "check_ticket", "move_to", "moved_to", "post_comment",
    "read_state", "update_state",
    "delete_event", "delete_statement", "delete_votes", "insert_comment", "insert_event",
    "insert_participant", "insert_statements", "insert_vote", "put_setting",
    "reorder_statements", "reset_votes", "save_state", "set_comment_status",
    "set_report_token", "set_role", "set_roles", "set_round", "set_support",
    "update_statement", "votes_since",
]  # fmt: skip

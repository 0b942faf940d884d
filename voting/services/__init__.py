"""Use cases: every change goes store first (durable), then room (memory), then hub (screens).

The HTTP and WebSocket entry points call these and nothing else to change an event. One
module per concern; `Voting` brings them together.
"""

from __future__ import annotations

from voting.services.base import COMMENTS_PER_MINUTE, COMMENTS_PER_STATEMENT, MAX_STATEMENTS
from voting.services.comments import Comments
from voting.services.countdown import Countdown
from voting.services.evening import Evening
from voting.services.participants import Participants
from voting.services.statements import Statements

__all__ = ["COMMENTS_PER_MINUTE", "COMMENTS_PER_STATEMENT", "MAX_STATEMENTS", "Voting"]


class Voting(Participants, Evening, Countdown, Statements, Comments):
    """Every use case of the live evening, for one process."""

"""The one obvious next step of the evening, as the moderator's primary button and the
presenter's clicker take it: show a statement → open voting → close voting and show the
results → the next statement → … → the end screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voting.live import Room

SHOW, OPEN, CLOSE_AND_SHOW, NEXT, END = "show", "open", "close_and_show", "next", "end"


def next_step(room: Room) -> str | None:
    """What `advance` would do now (None: nothing, at the end screen or without statements)."""
    state = room.state
    if state.ended or not room.statements:
        return None
    current = room.current()
    if current is None:
        return SHOW
    if state.voting_open:
        return CLOSE_AND_SHOW
    if not state.results_projector and room.tally(current).voters == 0:
        return OPEN  # shown, closed, nobody voted yet: voting has not really started
    last = room.index_of(current.id) == len(room.statements) - 1
    return END if last else NEXT

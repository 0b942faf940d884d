"""The three links of an event, from the public base URL."""

from __future__ import annotations

from voting.models import Event


def participant_url(base: str, event: Event) -> str:
    return f"{base}/j/{event.code}"


def projector_url(base: str, event: Event) -> str:
    return f"{base}/p/{event.code}"


def moderator_url(base: str, event: Event) -> str:
    return f"{base}/m/{event.code}?token={event.moderator_token}"


def all_links(base: str, event: Event) -> dict[str, str]:
    return {
        "code": event.code,
        "participant_url": participant_url(base, event),
        "projector_url": projector_url(base, event),
        "moderator_url": moderator_url(base, event),
    }

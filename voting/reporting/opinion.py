"""The opinion map's groups in the report: who voted alike, and what set each group apart.

From the full map (voting.analysis.event) the report keeps what the room may see, as
`public_map` does: no participant, no role, no group smaller than the privacy minimum, no
figures. A representative statement is said only when most of the group did vote that way
("mostly agreed" about a statement nobody in the group agreed with would be wrong, and
Pol.is's representativeness can pick such a statement when a group has few choices)."""

from __future__ import annotations

from typing import Any

from voting.i18n import Translator, mark_n

MEMBERS = mark_n("{name}: {n} participant", "{name}: {n} participants")


def section(full: dict[str, Any] | None, minimum: int, _: Translator, language: str) -> dict[str, Any] | None:
    """The groups with their representative statements, or None without groups."""
    if not full or full.get("status") != "ok":
        return None
    shown = [g for g in full.get("groups", []) if g["members"] >= minimum]
    if len(shown) < 2:
        return None
    texts = full.get("texts", {})
    groups = []
    for index, group in enumerate(shown):
        lines = []
        for rep in group["representative"]:
            text = texts.get(str(rep["statement"]))
            if text is None or 2 * rep["n_success"] <= rep["n_trials"]:
                continue
            quoted = f"{text['position'] + 1}. {text['translations'].get(language, text['text'])}"
            agreed = rep["direction"] == "agree"
            said = _("mostly agreed: {statement}") if agreed else _("mostly disagreed: {statement}")
            lines.append(said.format(statement=quoted))
        name = _("Group {name}").format(name=chr(ord("A") + index) if index < 26 else str(index + 1))
        groups.append({"label": _.count(*MEMBERS, group["members"]).format(name=name), "statements": lines})
    return {"participants": full["participants"], "groups": groups}

"""Kept for `from voting.export import figures`: the exports live in voting/exports/."""

from voting.exports import _safe, anonymous_votes, figures, results

__all__ = ["_safe", "anonymous_votes", "figures", "results"]

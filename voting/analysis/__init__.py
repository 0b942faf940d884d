"""The opinion map of an event (issue 12): votes → PCA → opinion groups → representative
and consensus statements, after Pol.is. Pure functions, no I/O; see docs/metrics.md."""

from voting.analysis.matrix import vote_value
from voting.analysis.opinion_map import OpinionMap, opinion_map

__all__ = ["OpinionMap", "opinion_map", "vote_value"]

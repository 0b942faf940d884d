"""The opinion map of an event (issue 12): votes → PCA → opinion groups → representative
and consensus statements, after Pol.is. Pure functions, no I/O; see docs/metrics.md.

Import from the modules (`voting.analysis.opinion_map`, `.matrix`, `.event`): this package
imports nothing itself, so a server process that only snapshots votes (the map is computed
in a worker process) never loads NumPy and scikit-learn (~130 MB per process).
"""

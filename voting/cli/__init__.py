"""The `voting` command: serve (the default) and the `event` commands.

One module per command family (voting/cli/serve.py, events.py, exports.py, imports.py,
reports.py, database.py); importing them registers their commands on the groups of voting/cli/base.py.
"""

from voting.cli import database, events, exports, imports, reports, serve
from voting.cli.base import main

__all__ = ["main", "database", "events", "exports", "imports", "reports", "serve"]

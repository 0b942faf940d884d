"""The `voting` command: serve (the default) and the `event` commands.

One module per command family (voting/cli/serve.py, events.py, exports.py); importing
them registers their commands on the groups of voting/cli/base.py.
"""

import voting.cli.imports  # noqa: F401  (registers `voting event import`)
from voting.cli import events, exports, reports, serve  # reports: `voting event report`
from voting.cli.base import main

__all__ = ["main", "events", "exports", "reports", "serve"]

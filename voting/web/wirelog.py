"""What the server logs about a client's broken frames: one line, never a traceback.

uvicorn answers a text frame that is not UTF-8 with the close the protocol prescribes
(1007), and logs it with a traceback: one per hostile connection. The close already tells
the client; the log keeps a single line.
"""

from __future__ import annotations

import logging

CLIENT_MISTAKES = frozenset({"Invalid UTF-8 sequence received from client."})


FRAME_LINES = frozenset({"< %s", "> %s"})  # the websockets protocol's debug line per frame


class OneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in CLIENT_MISTAKES:
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        if record.msg in FRAME_LINES and record.args:
            # At --log-level debug every frame would be logged with its text: votes. Logs
            # never contain votes (the anonymity statement), so only kind and size remain.
            frame = record.args[0] if isinstance(record.args, tuple) else None
            opcode = getattr(getattr(frame, "opcode", None), "name", "frame")
            record.args = (f"{opcode} [{len(getattr(frame, 'data', b''))} bytes]",)
        return True


def quiet_client_mistakes() -> None:
    """Install the filter on uvicorn's logger, once per process."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, OneLine) for f in logger.filters):
        logger.addFilter(OneLine())

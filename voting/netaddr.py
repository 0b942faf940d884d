"""The address phones on the same network can reach this machine at."""

from __future__ import annotations

import socket


def lan_address() -> str:
    """This machine's LAN address, or 127.0.0.1 when it has none.

    Connecting a UDP socket sends no packet; it only asks the kernel which local address
    it would route from. 192.0.2.1 is a documentation address (TEST-NET-1).
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address = str(probe.getsockname()[0])
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    return address


def public_base(host: str, port: int, public_url: str) -> str:
    if public_url:
        return public_url.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"

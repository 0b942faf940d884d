"""The console's mirror of the projector: only /p/<code>?mirror=1 may be framed, by our own pages."""

from __future__ import annotations

from voting.app import CONTENT_SECURITY_POLICY, MIRROR_POLICY, _policy


def scope(path: str, query: bytes = b"") -> dict[str, object]:
    return {"type": "http", "path": path, "query_string": query}


def test_only_the_projector_mirror_may_be_framed_and_only_by_us() -> None:
    assert "frame-ancestors 'self'" in MIRROR_POLICY
    assert MIRROR_POLICY.replace("'self'", "'none'") == CONTENT_SECURITY_POLICY.replace("'self'", "'none'")
    assert _policy(scope("/p/123456", b"mirror=1")) == MIRROR_POLICY
    assert _policy(scope("/p/123456", b"lang=fr&mirror=1")) == MIRROR_POLICY
    for path, query in [
        ("/p/123456", b""),
        ("/p/123456", b"mirror=10"),
        ("/m/123456", b"mirror=1"),
        ("/j/123456", b"mirror=1"),
        ("/", b"mirror=1"),
    ]:
        assert _policy(scope(path, query)) == CONTENT_SECURITY_POLICY, (path, query)

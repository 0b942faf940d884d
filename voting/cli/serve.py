"""`voting serve`: the server, one process or several workers."""

from __future__ import annotations

import resource
from dataclasses import replace
from pathlib import Path

import click

from voting.bootstrap import prepare
from voting.cli.base import db_option, main, open_store, print_links
from voting.netaddr import public_base
from voting.settings import Settings
from voting.store.dialect import is_postgres


@main.command()
@click.option(
    "--host",
    envvar="VOTING_HOST",
    default="0.0.0.0",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones on the same network join.",
)
@click.option("--port", envvar="VOTING_PORT", default=8000, show_default=True, type=int)
@db_option
@click.option(
    "--public-url",
    envvar="VOTING_PUBLIC_URL",
    default="",
    help="The address participants use, e.g. https://vote.example.org.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes on the same port and database; more than 1 on a SQLite file sets"
    " VOTING_BUS to sqlite:///<database> unless it is set (PostgreSQL: its LISTEN/NOTIFY).",
)
def serve(
    host: str = "0.0.0.0", port: int = 8000, db: str = "voting.db", public_url: str = "", workers: int = 1
) -> None:
    """Start the server (with a demo event on an empty database) and print its links."""
    from voting.app import create_app
    from voting.web import server

    settings = Settings.from_env(db=db, host=host, port=port, public_url=public_url)
    if workers > 1 and not settings.bus and not is_postgres(settings.db):
        # The workers ring each other through a table in the database file itself (on
        # PostgreSQL through its LISTEN/NOTIFY: Settings.bus_url).
        settings = replace(settings, bus=f"sqlite:///{Path(settings.db).resolve()}")
    if workers > 1 and settings.bus == "memory://":
        message = "VOTING_BUS=memory:// reaches one process only; leave it unset"
        raise click.BadParameter(message, param_hint="--workers")
    store = open_store(settings.db)
    prepared = prepare(store, settings)
    base = public_base(host, port, public_url)
    events = store.events()
    store.close()
    if prepared.generated_password:
        click.echo(f"Admin password (shown once, stored hashed): {prepared.generated_password}")
    click.echo(f"Organiser: {base}/admin")
    if events:
        print_links(base, events[0], with_qr=True)
    _raise_open_file_limit()
    if workers > 1:  # prepare() ran here, once: the workers find everything in place
        server.run_workers(settings, workers)
    else:
        server.run(create_app(settings), settings)


def _raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses it as a soft limit (ValueError);
    # then settle for OPEN_MAX, 10240, rather than fail to start.
    for target in (hard, min(hard, 10_240)):
        if soft >= target:
            return
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return
        except (ValueError, OSError):
            continue

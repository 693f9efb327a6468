"""``civicloop simulate``: simulated citizens write to a running CivicLoop server through its webhooks."""

from __future__ import annotations

from typing import Annotated

import typer

from civicloop.cli._common import JsonOption, console, emit
from civicloop.kit.words import plural


def simulate(
    target: Annotated[str, typer.Option(help="Base URL of the CivicLoop server, e.g. http://127.0.0.1:8000")],
    rate: Annotated[float, typer.Option(help="Events per second (at most 50)")] = 1.0,
    duration: Annotated[float, typer.Option(help="Seconds to run (at most 3600)")] = 30.0,
    count: Annotated[int | None, typer.Option(help="Stop after this many events")] = None,
    agency: Annotated[list[str] | None, typer.Option(help="Only these agencies' accounts (repeatable)")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed, for a repeatable run")] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a target that is not this machine (a staging server)")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Send signed webhooks of simulated citizens (on every platform taking webhooks) at a bounded rate; reads the
    accounts and their credentials from this deployment's database to sign them."""
    from civicloop.channels.simulator.citizens import Citizens, check_loopback, drive, load_targets
    from civicloop.db.session import session_scope

    if not allow_remote:
        check_loopback(target)
    with session_scope() as session:
        targets = load_targets(session, agency)
    citizens = Citizens(targets, seed=seed)
    if not json_out:
        console.print(
            f"Simulating citizens for {plural(len(targets), 'account')} at {rate:g}/s "
            f"for up to {duration:g} s → {target}"
        )
    report = drive(target, citizens, rate=rate, duration=duration, count=count)
    if json_out:
        emit(report.as_dict(), True)
        return
    rows = [{"kind": kind, "sent": n} for kind, n in sorted(report.by_kind.items())]
    emit(rows, False, title=f"{report.sent} events sent; answers: {dict(report.by_status)}")

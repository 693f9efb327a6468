"""``civicloop serve``, ``civicloop worker``, ``civicloop jobs ping``: running the product."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

import typer

from civicloop import migrations
from civicloop.cli._common import console, fail
from civicloop.config import get_settings
from civicloop.db.session import get_engine

jobs_app = typer.Typer(help="The job queue: check that workers are consuming.", no_args_is_help=True)


def require_current_schema() -> None:
    pending = migrations.pending_heads(get_engine())
    if pending:
        raise fail(
            "the database schema is out of date (pending: "
            f"{', '.join(sorted(pending))}); run `civicloop db upgrade` first"
        )


# Libraries whose routine lines would bury the product's own log: WeasyPrint reports each step of every PDF
# (the "you said, we did" reports) at INFO, and fontTools each font table it subsets.
CHATTY_LOGGERS = {"weasyprint.progress": logging.WARNING, "fontTools": logging.WARNING}


def quiet_chatty_libraries(levels: dict[str, int] = CHATTY_LOGGERS) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request")] = True,
) -> None:
    """Serve the web app; without Redis it also runs the job consumer in-process."""
    import uvicorn

    from civicloop.app.worker import start_in_process
    from civicloop.main import create_app

    settings = get_settings()
    require_current_schema()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    quiet_chatty_libraries()
    consumer = None if settings.redis_url else start_in_process(settings.workers)
    console.print(
        f"CivicLoop on http://{host}:{port} (database: {get_engine().url.render_as_string(hide_password=True)})"
    )
    try:
        uvicorn.run(create_app(), host=host, port=port, log_level="info", access_log=access_log, proxy_headers=True)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def worker(
    workers: Annotated[int, typer.Option(help="Worker threads in this process")] = 2,
) -> None:
    """Consume jobs (and run periodic ones) until stopped; run one per machine with Redis."""
    from civicloop.app.worker import run_worker

    require_current_schema()
    quiet_chatty_libraries()
    settings = get_settings()
    console.print(
        f"Worker consuming from {'Redis' if settings.redis_url else 'the SQLite queue'} with {workers} threads"
    )
    run_worker(workers)


@jobs_app.command("ping")
def ping(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a worker")] = 10.0,
) -> None:
    """Enqueue a no-op job and wait for a worker to run it; exit 1 if none does in time."""
    from huey.exceptions import HueyException

    from civicloop.jobs.tasks import ping as ping_task

    token = secrets.token_hex(8)
    result = ping_task(token)
    try:
        answer = result.get(blocking=True, timeout=timeout)
    except HueyException as exc:
        raise fail(f"no worker answered within {timeout:g} s; is `civicloop worker` running?", 1) from exc
    console.print(f"Worker on {answer['host']} (pid {answer['pid']}) answered.")

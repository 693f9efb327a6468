"""Jobs of the outbound path: send one message, and sweep up rows a crash or a lost job left behind."""

from __future__ import annotations

from huey import crontab

from civicloop.channels.outbound import send as outbound_send
from civicloop.jobs import periodic, task


@task()
def send_outbound(outbound_id: int) -> str | None:
    """One send attempt; a failed attempt schedules the next one itself."""
    status = outbound_send.deliver(outbound_id)
    return status.value if status is not None else None


@periodic(crontab(minute="*"))
def sweep_outbound() -> dict[str, int]:
    """Every minute: rows stuck in ``sending`` go back to be checked, overdue queued rows are enqueued."""
    result = outbound_send.sweep()
    return {"requeued": result.requeued, "enqueued": result.enqueued}

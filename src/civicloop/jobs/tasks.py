"""Jobs that belong to the queue itself: a ping to prove a worker is consuming."""

from __future__ import annotations

import os
import socket

from civicloop.jobs import task


@task()
def ping(token: str) -> dict[str, str | int]:
    """Answer with who ran it, so ``civicloop jobs ping`` can show which worker is alive."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}

"""A new inbound message's attachments are recorded and their download queued, in the same transaction.

Imported by ``channels.tasks`` (where messages are processed), so every process that stores messages has it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.channels import hooks
from civicloop.channels.media import service
from civicloop.channels.models import Message
from civicloop.config import get_settings

FETCH_JOB = "civicloop.channels.media.tasks.fetch_media"


def on_message(session: Session, message: Message) -> None:
    if not get_settings().media_download:
        return  # links only: the attachments stay listed with the message, as the platform gave them
    ids = service.record_attachments(session, message)
    if ids:
        jobs.after_commit(session, FETCH_JOB, ids)


if on_message not in hooks.ON_MESSAGE:
    hooks.ON_MESSAGE.append(on_message)

"""Inbox tests share the channels' outbound scene (agency, accounts, the platform simulator over
HTTP) and a clock that stands still."""

from tests.channels.outbound.conftest import scene, sim, simulator_server
from tests.inbox.builders import clock

__all__ = ["clock", "scene", "sim", "simulator_server"]

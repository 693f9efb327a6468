"""Imports every module that defines jobs, so a worker knows them all by name (``jobs.load_all``), the
guidelines gate, the before-send review a worker must have before it sends anything, and the hooks that keep
records while messages are processed (moderation done on the platform itself)."""

from civicloop.access import tasks as access_tasks
from civicloop.accountability import tasks as accountability_tasks
from civicloop.analysis import tasks as analysis_tasks
from civicloop.audit import tasks as audit_tasks
from civicloop.auth import tasks as auth_tasks
from civicloop.channels import tasks as channels_tasks
from civicloop.channels.connect import tasks as channels_connect_tasks
from civicloop.channels.media import tasks as channels_media_tasks
from civicloop.channels.outbound import tasks as channels_outbound_tasks
from civicloop.channels.reconcile import tasks as channels_reconcile_tasks
from civicloop.channels.web import tasks as channels_web_tasks
from civicloop.consultations import tasks as consultations_tasks
from civicloop.guidelines import gate as guidelines_gate
from civicloop.inbox import tasks as inbox_tasks
from civicloop.jobs import huey, tasks
from civicloop.moderation import hooks as moderation_hooks
from civicloop.notifications import tasks as notifications_tasks
from civicloop.oversight import tasks as oversight_tasks
from civicloop.publishing import tasks as publishing_tasks
from civicloop.records import tasks as records_tasks

__all__ = [
    "access_tasks",
    "accountability_tasks",
    "analysis_tasks",
    "audit_tasks",
    "auth_tasks",
    "channels_connect_tasks",
    "channels_media_tasks",
    "channels_outbound_tasks",
    "channels_reconcile_tasks",
    "channels_tasks",
    "channels_web_tasks",
    "consultations_tasks",
    "guidelines_gate",
    "huey",
    "inbox_tasks",
    "moderation_hooks",
    "notifications_tasks",
    "oversight_tasks",
    "publishing_tasks",
    "records_tasks",
    "tasks",
]

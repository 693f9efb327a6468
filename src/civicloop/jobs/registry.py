"""Imports every module that defines jobs, so a worker knows them all by name."""

from civicloop.jobs import huey, tasks

__all__ = ["huey", "tasks"]

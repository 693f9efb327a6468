"""Notifications: notices to officials, stored once per event, shown in the app, emailed when SMTP is set.

Owns: the ``notifications`` table, its once-only key, marking read, the email job.
Must not: decide when to notify (the inbox's SLA tracking and the consultation reminders do, and
call ``notify``); it sits below both so either can use it without importing the other.
"""

"""Reconciliation: reading each account's recent comments and messages back from the platform's API and
storing what the webhooks missed, exactly once, through the webhook events' own path.

Owns: the record of each run (``ChannelReconciliation``: since when, how many objects read, how many events
recovered, what went wrong) and the periodic job. The platforms' folders say what their API can list
(``PlatformSpec.reconciler``) and what it cannot (``reconcile_gaps``).
Must not: parse platform payloads (the providers do) or create messages itself (``ingest.process_event`` does).
"""

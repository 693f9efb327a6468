"""The append-only, hash-chained audit log of every change an official makes.

Owns: appending entries (one at a time, chained by SHA-256), signed checkpoints of the chain's head
kept outside the database (``checkpoints``), and verifying the chain against them.
Must not: be updated or deleted by anything; a broken link is reported, never repaired silently.
"""

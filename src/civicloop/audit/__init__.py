"""The append-only, hash-chained audit log of every change an official makes.

Owns: appending entries (one at a time, chained by SHA-256) and verifying the chain.
Must not: be updated or deleted by anything; a broken link is reported, never repaired silently.
"""

"""Helpers that belong to no domain: clock, crypto, time zones, mail, and the upload checker."""

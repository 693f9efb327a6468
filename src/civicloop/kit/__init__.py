"""Helpers that belong to no domain: clock, crypto, time zones, pagination."""

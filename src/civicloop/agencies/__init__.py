"""Agencies (the tenant boundary) and their official accounts on each platform.

Owns: agency registry and hierarchy, official accounts with encrypted credentials, their webhook URLs.
Must not: parse platform payloads (channels) or decide who may see what (auth.scope does).
"""

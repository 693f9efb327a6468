"""Channels: every way citizens' words come in (and, with channels-out, every way replies go out).

Owns: raw webhook events (verified, stored once, replayable), contacts, conversations, messages and
their edit history; one provider folder per platform (handshake, signature, split, pure parse).
Must not: decide who handles a conversation (inbox), judge outgoing text (guidelines) or analyse
messages (analysis); those domains react through ``channels.hooks.ON_MESSAGE``.
"""

"""The inbox: where officers pick up, answer and close citizens' conversations, held to the SLA.

Owns: each conversation's SLA state and its history of assignment/status changes, tags, internal
notes, saved replies, notifications to officials, and the response metrics.
Must not: store or send messages (channels does, through ``create_outbound``), or judge the text of
a reply (guidelines does, inside ``create_outbound``).
"""

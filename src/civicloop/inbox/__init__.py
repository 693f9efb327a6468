"""The inbox: where officers pick up, answer and close citizens' conversations, held to the SLA.

Owns: each conversation's SLA clocks (``clocks``) and its history of assignment/status changes, tags,
internal notes, saved replies, and the response metrics (``metrics``), the one place they are measured.
Notifications to officials are their own domain (``notifications``), below the inbox.
Must not: store or send messages (channels does, through ``create_outbound``), or judge the text of
a reply (guidelines does, inside ``create_outbound``).
"""

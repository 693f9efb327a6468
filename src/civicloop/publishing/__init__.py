"""Publishing: one post to many official accounts, per-platform variants, scheduling, approval, calendar.

Owns: posts, the accounts each goes to, the agency's approval policy and the release of scheduled posts.
Must not: talk to a platform itself; every release goes through ``channels.outbound.service.create_outbound``,
which runs the guidelines gate and sends.
"""

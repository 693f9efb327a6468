"""Feedback analysis: duplicates and campaigns, themes with readable labels, sentiment and quotes.

Owns: the pure pipeline over arrays (normalize, dedup, embed, cluster, label, sentiment), analysis
runs and themes stored per agency/account/consultation, officials' edits to themes, incremental
assignment of new messages. Must not: download anything at run time, change messages (channels
owns them) or show unredacted quotes outside the agency (guidelines' redact is applied).
"""

"""Oversight: whether the social media policy works, measured from what the other domains record.

Owns: adoption and account-health views, agency scorecards, the national dashboard, alerts (rules,
states, notification), incidents (guideline breaches that reached the public), the public transparency
page, open-data exports and the pre-aggregated tables that keep these pages fast.
Must not: change another domain's rows, recompute what a domain already measures (it calls that
domain's functions), or show citizens' personal data outside their agency.
"""

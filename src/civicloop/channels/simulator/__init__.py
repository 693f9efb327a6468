"""A contract-enforcing fake of the platform APIs CivicLoop calls, and simulated citizens who write in.

Owns: a small HTTP app (its own, never mounted in the product) that answers like each registered
platform's API (the router its folder declares), with their auth, required fields, reply windows,
quotas, rate limits and error bodies, plus switches that inject 5xx, timeouts and 429; and a driver
that sends signed webhooks of simulated citizens to a CivicLoop server. Tests and the demo use it.
Must not: import product services or touch the database beyond reading accounts to sign webhooks.
"""

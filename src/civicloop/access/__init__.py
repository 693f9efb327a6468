"""Office access to social media: per-agency policy, enforced by a Squid proxy helper, with usage reports.

Owns: categories of sites, each agency's signed policy and designations, the staff directory of
proxy logins, the decision function (``policy.decide``), the Squid helper and configuration, and
imported proxy logs with the reports built on them.
Must not: read office hours anywhere but ``civicloop.sla.calendar``, or keep per-person usage
visible to anyone but the agency's head and national oversight.
"""

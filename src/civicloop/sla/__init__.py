"""Office hours, holidays and response targets (SLA).

Owns: the national office calendar (weekly hours, seasons, closures), district festival days,
agency closures, SLA policies, the pure office-time arithmetic (``calendar.OfficeCalendar``) and SLA
rules (``engine``), and the response metrics (``metrics``, read from the inbox's SLA rows).
Must not: read the wall clock in its pure parts (callers pass instants) or write conversations: the
inbox keeps each conversation's SLA state, applying ``engine`` to it.
"""

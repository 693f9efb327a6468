"""Office hours, holidays and response targets (SLA).

Owns: the national office calendar (weekly hours, seasons, closures), district festival days,
agency closures, SLA policies, the pure office-time arithmetic (``calendar.OfficeCalendar``) and SLA
rules (``engine``). Its pages and API show the response metrics, which the inbox owns.
Must not: read the wall clock in its pure parts (callers pass instants), or read or write
conversations: the inbox keeps each conversation's clocks (``inbox.clocks``, applying ``engine``) and
measures them (``inbox.metrics``).
"""

"""Officials, roles, login sessions, API tokens, CSRF and the visibility scope of each official.

Owns: who an official is, what roles they hold where, and the ``Scope`` every repository filters by.
Must not: hold domain rules of other folders; it only answers "may this official see/do X in agency Y".
"""

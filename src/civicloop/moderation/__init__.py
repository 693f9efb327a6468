"""Moderation of citizens' comments under a published national policy.

Owns: the national grounds for hiding a comment (agencies may withhold grounds or require their head,
never add one), hiding and unhiding by officers and deleting by agency heads on the platform itself
(through each platform's moderator in ``channels``), the record of every action with who, when, why and
what the platform answered, rules that *suggest* a hide (never apply one), citizens' appeals decided by
the agency head, and the public monthly log (counts only). Must not: hide anything for its viewpoint,
apply a suggestion without a person, or show a comment's text or author outside the agency.
"""

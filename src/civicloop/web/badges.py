"""The tag a platform's name is shown in (``<span class="badge ...">`` in lists and tables): its colour is
the one the platform's folder declares (``PlatformSpec.badge``, put here by ``channels.registry``), so
the stylesheet names colours, not platforms."""

from __future__ import annotations

# A platform's tag colour by its name: one of the stylesheet's ``.badge.tone-<colour>`` (GOV.UK's tag colours).
TONES: dict[str, str] = {}


def badge_class(name: object) -> str:
    """The classes of a platform's tag: ``badge``, its name, and its colour when it declares one."""
    name = str(name)
    tone = TONES.get(name)
    return f"badge {name} tone-{tone}" if tone else f"badge {name}"

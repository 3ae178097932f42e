"""Fixtures and markers of the planning tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from tests.shared_data import ONLINE_RETAIL, shared_data_file


@pytest.fixture
def online_retail_path() -> Path:
    """The shared Online Retail file (see tests/shared_data.py)."""
    return shared_data_file(ONLINE_RETAIL)


@pytest.fixture
def intermittent_history() -> NDArray[np.float64]:
    rng = np.random.default_rng(3)
    occurs = rng.random((40, 120)) < rng.uniform(0.05, 0.9, size=(40, 1))
    return np.where(occurs, rng.integers(1, 30, size=(40, 120)), 0).astype(np.float64)

"""The real data in ../shared/data: skipped with a reason on a user's machine, required under CI=true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ONLINE_RETAIL = "online_retail/online_retail_2010-12_2011-12.csv.gz"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_data_file(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        if in_ci():
            pytest.fail(f"{path} is missing, and CI=true requires the real-data tests to run")
        pytest.skip(f"real data not available here: {path} is absent (it sits beside the checkout in CI)")
    return path

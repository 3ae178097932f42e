"""The demo shop comes in as imports bring records: its stores are built, and the plan's demand estimate for its
today is stored (as the importers' `prepare_after_fold_in` stores it), so that the day's first brief reads it back
and runs no kernel."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from tests.demo.building import build_into_file
from tradewind.config import Settings
from tradewind.db.session import make_sessionmaker, transaction
from tradewind.planning import estimate_store
from tradewind.planning.kernels import DemandEstimate
from tradewind.planning.service import build_plan


def test_the_demos_first_plan_reads_the_stored_estimate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = build_into_file(tmp_path / "demo.db")
    try:

        def no_kernel(*args: object, **kwargs: object) -> DemandEstimate:
            raise AssertionError("the demo left no estimate for its today: the kernel ran")

        monkeypatch.setattr(estimate_store, "estimate_demand", no_kernel)
        with transaction(make_sessionmaker(built.engine)) as session:
            plan = build_plan(
                session,
                shop_id=built.summary.shop_id,
                today=built.today,
                now=datetime.combine(built.today, time(8), tzinfo=UTC),
                settings=Settings(),
            )
        assert len(plan.decisions) == len(plan.inputs.skus) == 159
    finally:
        built.engine.dispose()

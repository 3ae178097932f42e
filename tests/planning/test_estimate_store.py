"""The stored demand estimate (planning/estimate_store.py): read back, it is the kernel's arrays exactly; any change
of an input (a day's demand, a stock-out day, a setting, the season, the SKUs' order, the path) is a miss that
computes and replaces it; on SQLite and PostgreSQL. And the kernel's version follows its source."""

from __future__ import annotations

import hashlib
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.planning import estimate_store
from tradewind.planning.estimate_store import (
    PLAN,
    demand_estimate,
    estimate_digest,
    prepare_after_fold_in,
    stored_estimate,
)
from tradewind.planning.frames import load_inputs
from tradewind.planning.kernels import DemandEstimate, DemandSettings, estimate_demand
from tradewind.planning.kernels import recursions as recursions_module
from tradewind.planning.kernels.methods import KERNEL_VERSION
from tradewind.planning.models import StoredDemandEstimate
from tradewind.shops.models import Shop

# recursions.py as KERNEL_VERSION was last bumped for it: a change to the kernel's source fails here until the
# version is bumped (and this hash updated), so that no estimate of the old code is read back.
RECURSIONS_SHA256 = "62c0ae25cd32094495870109c408c2bc0c36fb2495f949dd2f6afc81da2cdcea"
VERSION_FOR_THAT_SOURCE = 1


def same(one: DemandEstimate, other: DemandEstimate) -> bool:
    """Every array equal bit for bit, with its dtype and shape."""
    return all(
        getattr(one, x.name).dtype == getattr(other, x.name).dtype
        and getattr(one, x.name).shape == getattr(other, x.name).shape
        and getattr(one, x.name).tobytes() == getattr(other, x.name).tobytes()
        for x in fields(DemandEstimate)
    )


def mask_of(history: NDArray[np.float64]) -> NDArray[np.bool_]:
    mask = np.ones(history.shape, dtype=np.bool_)
    mask[::3, 40:55] = False
    return mask


def rows(session: Session, shop: Shop) -> int:
    return int(session.scalar(select(func.count()).where(StoredDemandEstimate.shop_id == shop.id)) or 0)


def test_a_hit_reads_back_the_kernels_arrays_and_runs_no_kernel(
    session: Session, shop: Shop, intermittent_history: NDArray[np.float64], monkeypatch: pytest.MonkeyPatch
) -> None:
    history, mask, skus = intermittent_history, mask_of(intermittent_history), list(range(100, 140))
    expected = estimate_demand(history, mask)
    first = demand_estimate(session, shop_id=shop.id, purpose=PLAN, history=history, in_stock=mask, sku_ids=skus)
    assert same(first, expected)
    digest = estimate_digest(history, mask, skus, DemandSettings(), 7, False)
    assert stored_estimate(session, shop_id=shop.id, purpose=PLAN, digest=digest) is not None

    def no_kernel(*args: object, **kwargs: object) -> DemandEstimate:
        raise AssertionError("the kernel ran on a hit")

    monkeypatch.setattr(estimate_store, "estimate_demand", no_kernel)
    again = demand_estimate(
        session, shop_id=shop.id, purpose=PLAN, history=history.copy(), in_stock=mask.copy(), sku_ids=skus
    )
    assert same(again, expected)
    assert rows(session, shop) == 1


def test_any_change_of_an_input_misses_and_replaces_the_stored_estimate(
    session: Session, shop: Shop, intermittent_history: NDArray[np.float64]
) -> None:
    history, mask, skus = intermittent_history, mask_of(intermittent_history), list(range(100, 140))
    demand_estimate(session, shop_id=shop.id, purpose=PLAN, history=history, in_stock=mask, sku_ids=skus)
    one_day = history.copy()
    one_day[5, -1] += 1.0
    stock_out = mask.copy()
    stock_out[7, 100] = False
    base = DemandSettings()
    changes: dict[str, tuple[NDArray[np.float64], NDArray[np.bool_] | None, list[int], DemandSettings, int, bool]] = {
        "one day's demand": (one_day, mask, skus, base, 7, False),
        "a stock-out day": (history, stock_out, skus, base, 7, False),
        "no mask": (history, None, skus, base, 7, False),
        "a smoothing constant": (history, mask, skus, replace(base, alpha_level=0.031), 7, False),
        "the window": (history, mask, skus, replace(base, window=27), 7, False),
        "the warm-up": (history, mask, skus, replace(base, warm_up=False), 7, False),
        "the season": (history, mask, skus, base, 5, False),
        "the SKUs' order": (history, mask, [*skus[1:], skus[0]], base, 7, False),
        "the path": (history, mask, skus, base, 7, True),
    }
    digests = {estimate_digest(history, mask, skus, base, 7, False)}
    for what, (y, in_stock, ids, settings, season, path) in changes.items():
        digest = estimate_digest(y, in_stock, ids, settings, season, path)
        assert digest not in digests, what
        digests.add(digest)
        assert stored_estimate(session, shop_id=shop.id, purpose=PLAN, digest=digest) is None, what
        made = demand_estimate(
            session,
            shop_id=shop.id,
            purpose=PLAN,
            history=y,
            in_stock=in_stock,
            sku_ids=ids,
            settings=settings,
            season_length=season,
            record_path=path,
        )
        assert same(made, estimate_demand(y, in_stock, settings, season, path)), what
        assert stored_estimate(session, shop_id=shop.id, purpose=PLAN, digest=digest) is not None, what
        assert rows(session, shop) == 1, what  # one row per shop and purpose, replaced


def test_the_kernel_version_follows_the_recursions_source() -> None:
    source = Path(recursions_module.__file__).read_bytes()
    assert (hashlib.sha256(source).hexdigest(), KERNEL_VERSION) == (RECURSIONS_SHA256, VERSION_FOR_THAT_SOURCE), (
        "recursions.py changed: bump KERNEL_VERSION in kernels/methods.py and update RECURSIONS_SHA256 here"
    )


def test_the_fold_in_prepares_the_estimate_the_plan_of_today_reads(session: Session, shop: Shop) -> None:
    boots = f.sku(session, shop)
    f.order(session, shop, [(boots, 3)], placed_at=datetime(2025, 2, 10, 9, tzinfo=UTC))
    clock = FixedClock.on(date(2025, 2, 20))
    assert not prepare_after_fold_in(session, shop=shop, clock=clock, touched=["shipments"])
    assert rows(session, shop) == 0
    assert prepare_after_fold_in(session, shop=shop, clock=clock, touched=["orders", "order_lines"])
    assert rows(session, shop) == 1
    stored = session.scalar(select(StoredDemandEstimate.digest).where(StoredDemandEstimate.shop_id == shop.id))
    settings = Settings()
    inputs = load_inputs(
        session,
        shop_id=shop.id,
        today=date(2025, 2, 20),
        history_days=settings.history_days,
        horizon=settings.planning_horizon_days,
    )
    assert stored == estimate_digest(inputs.history, inputs.in_stock, [boots.id], DemandSettings(), 7, False)

"""The stored demand estimate: the demand kernel's arrays kept per shop and purpose (`demand_estimates`), under the
digest of all their inputs, so that a brief whose inputs did not change reads them back instead of running the
recursions, and never loads Numba (half a second of CPU before the first SKU is smoothed).

The digest covers everything the estimate is a function of: the history matrix and the in-stock mask (their
shapes and bytes), the SKU order, every demand setting, the season length, whether the path is recorded, and
`KERNEL_VERSION` (bumped when the recursions change). Equal digests give the very arrays the kernel would compute;
any other digest is a miss: the kernel runs and its arrays replace the shop's row for that purpose.

The estimate is made where the daily demand store takes new order lines in (the importers' fold-in, `tradewind
stores rebuild`), for the shop's today, so that the morning brief after an import finds it; the brief makes it
itself on a miss (stock moved, the day turned, settings changed).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection, Sequence
from dataclasses import asdict, fields
from datetime import date

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from tradewind.clock import Clock, local_today
from tradewind.config import Settings
from tradewind.planning.demand_store import DAILY_DEMAND
from tradewind.planning.frames import PlanInputs, load_inputs
from tradewind.planning.kernels import DemandEstimate, DemandSettings, estimate_demand
from tradewind.planning.kernels.methods import KERNEL_VERSION
from tradewind.planning.models import StoredDemandEstimate
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone

PLAN = "plan"  # the estimate the replenishment plan (and the brief) runs on


def estimate_digest(
    history: NDArray[np.float64],
    in_stock: NDArray[np.bool_] | None,
    sku_ids: Sequence[int],
    settings: DemandSettings,
    season_length: int,
    record_path: bool,
) -> str:
    """SHA-256 (hex) of every input of `estimate_demand` (see the module's docstring)."""
    y = np.ascontiguousarray(history, dtype=np.float64)
    digest = hashlib.sha256()
    digest.update(f"kernel {KERNEL_VERSION}; shape {y.shape}; season {int(season_length)}; ".encode())
    digest.update(f"path {bool(record_path)}; settings {sorted(asdict(settings).items())!r};".encode())
    digest.update(np.asarray(sku_ids, dtype=np.int64).tobytes())
    digest.update(y.tobytes())
    if in_stock is None:
        digest.update(b"always in stock")
    else:
        mask = np.ascontiguousarray(in_stock, dtype=np.bool_)
        digest.update(f"in stock {mask.shape}".encode())
        digest.update(mask.tobytes())
    return digest.hexdigest()


def _to_bytes(estimate: DemandEstimate) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{field.name: getattr(estimate, field.name) for field in fields(DemandEstimate)})
    return buffer.getvalue()


def _from_bytes(data: bytes) -> DemandEstimate:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return DemandEstimate(**{field.name: arrays[field.name] for field in fields(DemandEstimate)})


def stored_estimate(session: Session, *, shop_id: int, purpose: str, digest: str) -> DemandEstimate | None:
    """The shop's stored estimate for `purpose` when it was computed from inputs of this digest, else None."""
    data = session.scalar(
        select(StoredDemandEstimate.arrays).where(
            StoredDemandEstimate.shop_id == shop_id,
            StoredDemandEstimate.purpose == purpose,
            StoredDemandEstimate.digest == digest,
        )
    )
    return None if data is None else _from_bytes(bytes(data))


def store_estimate(session: Session, *, shop_id: int, purpose: str, digest: str, estimate: DemandEstimate) -> None:
    """Keep `estimate` as the shop's for `purpose` (replacing the one before), under its inputs' digest."""
    session.execute(
        delete(StoredDemandEstimate).where(
            StoredDemandEstimate.shop_id == shop_id, StoredDemandEstimate.purpose == purpose
        )
    )
    # A statement, not an ORM record: a derived figure changes no record (no change note for the figure cache).
    session.execute(
        insert(StoredDemandEstimate).values(shop_id=shop_id, purpose=purpose, digest=digest, arrays=_to_bytes(estimate))
    )


def demand_estimate(
    session: Session,
    *,
    shop_id: int,
    purpose: str,
    history: NDArray[np.float64],
    in_stock: NDArray[np.bool_] | None,
    sku_ids: Sequence[int],
    settings: DemandSettings | None = None,
    season_length: int = 7,
    record_path: bool = False,
) -> DemandEstimate:
    """`estimate_demand` of these inputs: read back when the shop's stored estimate for `purpose` was made from the
    same inputs, else computed by the kernel and stored."""
    settings = settings or DemandSettings()
    digest = estimate_digest(history, in_stock, sku_ids, settings, season_length, record_path)
    found = stored_estimate(session, shop_id=shop_id, purpose=purpose, digest=digest)
    if found is not None:
        return found
    estimate = estimate_demand(history, in_stock, settings, season_length, record_path)
    store_estimate(session, shop_id=shop_id, purpose=purpose, digest=digest, estimate=estimate)
    return estimate


def plan_inputs(session: Session, *, shop_id: int, today: date, settings: Settings) -> PlanInputs:
    """The records the shop's plan on `today` runs on, over the settings' history and horizon (the plan and the
    estimate prepared at an import read them the same way, so that their digests agree)."""
    return load_inputs(
        session,
        shop_id=shop_id,
        today=today,
        history_days=settings.history_days,
        horizon=settings.planning_horizon_days,
    )


def plan_estimate(session: Session, *, shop_id: int, inputs: PlanInputs) -> DemandEstimate:
    """The demand estimate the plan runs on for these inputs: read back when stored, else computed and stored."""
    return demand_estimate(
        session,
        shop_id=shop_id,
        purpose=PLAN,
        history=inputs.history,
        in_stock=inputs.in_stock,
        sku_ids=[sku.id for sku in inputs.skus],
    )


def prepare_plan_estimate(session: Session, *, shop_id: int, today: date, settings: Settings) -> bool:
    """Make the estimate the shop's plan on `today` will run on (when its inputs changed since it was last stored)
    and store it, so that the day's brief reads it back; False when the shop has no active SKU (nothing to plan)."""
    inputs = plan_inputs(session, shop_id=shop_id, today=today, settings=settings)
    if not inputs.skus:
        return False
    plan_estimate(session, shop_id=shop_id, inputs=inputs)
    return True


def prepare_after_fold_in(
    session: Session,
    *,
    shop: Shop,
    clock: Clock,
    touched: Collection[str] | None = None,
    settings: Settings | None = None,
) -> bool:
    """After new records were folded into the shop's stores (the importers): the plan's estimate for the shop's
    today on `clock`, made and stored when the records written (`touched`, None: any) are ones the daily demand is
    made from. Whether it was prepared."""
    if touched is not None and not DAILY_DEMAND.sources & set(touched):
        return False
    return prepare_plan_estimate(
        session, shop_id=shop.id, today=local_today(clock, shop_zone(shop)), settings=settings or Settings()
    )

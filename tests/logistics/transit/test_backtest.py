"""The rolling-origin backtest at smoke size: counting parcels in transit keeps the p90 close to calibrated, where
the delivered-only estimate is optimistic, and it is tighter than a marketplace's fixed promise in calm weeks."""

from __future__ import annotations

from tests.logistics.synthetic import SlowdownScenario, generate_shipments
from tests.logistics.transit.backtesting import backtest, censored_km, delivered_only, fixed_promise
from tradewind.logistics.transit.lanes import TransitSettings


def test_censored_estimates_beat_the_delivered_only_ones() -> None:
    scenario = SlowdownScenario(scale=0.5, days=260, slowdown_starts=130)
    settings = TransitSettings()
    results = backtest(
        generate_shipments(scenario),
        scenario,
        {"km": censored_km(settings), "naive": delivered_only(settings), "fixed": fixed_promise},
        step=7,
        max_days=settings.max_days,
    )
    km, naive, fixed = results["km"], results["naive"], results["fixed"]
    assert km["calm"]["coverage_p90"] >= 0.85
    assert km["during"]["coverage_p90"] > naive["during"]["coverage_p90"] + 0.1
    assert km["all"]["pinball_p90"] < naive["all"]["pinball_p90"]
    assert km["calm"]["mean_p90_days"] < fixed["calm"]["mean_p90_days"]

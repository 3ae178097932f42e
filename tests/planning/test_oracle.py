"""The kernels' textbook forecasts (warm_up=False) against statsforecast as an oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from tradewind.planning.kernels import CROSTON, SBA, SMOOTHED, TSB, DemandSettings, forecast_by_method

statsforecast = pytest.importorskip("statsforecast")
models = pytest.importorskip("statsforecast.models")


def oracle(history: NDArray[np.float64], model: object) -> NDArray[np.float64]:
    n_skus, n_days = history.shape
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_skus), n_days),
            "ds": np.tile(np.arange(n_days), n_skus),
            "y": history.ravel(),
        }
    )
    result = statsforecast.StatsForecast(models=[model], freq=1, n_jobs=1).forecast(df=frame, h=1)
    return np.asarray(result.sort_values("unique_id").iloc[:, -1].to_numpy(), dtype=np.float64)


def compare(history: NDArray[np.float64]) -> None:
    settings = DemandSettings(
        warm_up=False, alpha_level=0.2, alpha_size=0.1, alpha_interval=0.1, alpha_probability=0.05
    )
    ours = forecast_by_method(history, settings=settings, season_length=0)
    with_demand = history.sum(axis=1) > 0
    np.testing.assert_allclose(
        ours[:, SMOOTHED], oracle(history, models.SimpleExponentialSmoothing(alpha=0.2)), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        ours[with_demand, CROSTON], oracle(history, models.CrostonClassic())[with_demand], rtol=1e-9
    )
    np.testing.assert_allclose(ours[with_demand, SBA], oracle(history, models.CrostonSBA())[with_demand], rtol=1e-9)
    np.testing.assert_allclose(
        ours[:, TSB], oracle(history, models.TSB(alpha_d=0.1, alpha_p=0.05)), rtol=1e-9, atol=1e-12
    )


def test_ses_croston_sba_tsb_agree_with_statsforecast(intermittent_history: NDArray[np.float64]) -> None:
    compare(intermittent_history)


@pytest.mark.slow
def test_agreement_over_many_series() -> None:
    rng = np.random.default_rng(17)
    probability = rng.uniform(0.02, 1.0, size=(2000, 1))
    history: NDArray[np.float64] = np.where(
        rng.random((2000, 365)) < probability, rng.gamma(1.0, 20.0, size=(2000, 365)), 0.0
    )
    history[:, 0] = np.where(rng.random(2000) < 0.5, history[:, 0], 0.0)
    compare(np.round(history))

"""The standard normal distribution in plain NumPy: quantile, distribution function and loss function.

Quantile: P. J. Acklam's rational approximation (2003), relative error below 1.2e-9.
Distribution function: the complementary error function of Press et al., "Numerical Recipes" (3rd ed., 2007,
§6.2, Chebyshev fit `erfcc`, fractional error below 1.2e-7).
Loss function G(k) = φ(k) − k(1 − Φ(k)): Silver, Pyke & Peterson, "Inventory Management and Production
Planning and Scheduling" (3rd ed., 1998, §7.7 and appendix B).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01, -1.328068155288572e01)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_LOW = 0.02425


def _poly(coefficients: tuple[float, ...], x: FloatArray) -> FloatArray:
    result = np.zeros_like(x)
    for c in coefficients:
        result = result * x + c
    return result


def normal_quantile(probability: FloatArray) -> FloatArray:
    """Φ⁻¹(p), elementwise; p is clipped to [1e-12, 1 − 1e-12]."""
    p = np.clip(np.asarray(probability, dtype=np.float64), 1e-12, 1.0 - 1e-12)
    tail = np.minimum(p, 1.0 - p)
    q_tail = np.sqrt(-2.0 * np.log(tail))
    z_tail = _poly(_C, q_tail) / (_poly(_D, q_tail) * q_tail + 1.0)
    z_tail = np.where(p < 0.5, z_tail, -z_tail)
    centred = p - 0.5
    r = centred * centred
    z_mid = _poly(_A, r) * centred / (_poly(_B, r) * r + 1.0)
    return np.where(tail < _LOW, z_tail, z_mid)


def normal_cdf(x: FloatArray) -> FloatArray:
    """Φ(x), elementwise."""
    z = np.abs(np.asarray(x, dtype=np.float64)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * z)
    series = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                    )
                )
            )
        )
    )
    erfc = t * np.exp(series)
    return np.asarray(np.where(np.asarray(x) >= 0, 1.0 - 0.5 * erfc, 0.5 * erfc), dtype=np.float64)


def normal_loss(k: FloatArray) -> FloatArray:
    """Expected shortage per unit σ, G(k) = φ(k) − k(1 − Φ(k))."""
    density = np.exp(-0.5 * k * k) / np.sqrt(2.0 * np.pi)
    return np.asarray(density - k * (1.0 - normal_cdf(k)), dtype=np.float64)


def normal_loss_inverse(target: FloatArray) -> FloatArray:
    """The k with G(k) = target (G falls monotonically); bisection over [-6, 8], elementwise."""
    low = np.full_like(np.asarray(target, dtype=np.float64), -6.0)
    high = np.full_like(low, 8.0)
    for _ in range(60):
        middle = 0.5 * (low + high)
        above = normal_loss(middle) > target
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    return 0.5 * (low + high)

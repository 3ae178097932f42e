"""The demand methods' codes and names, the layout of the kernel's parameter vector, and the kernel's version:
what the rest of planning needs to know about the recursions without loading them (recursions.py is compiled by
Numba, which takes half a second to load; a brief on a stored estimate never needs it)."""

from __future__ import annotations

MOVING_AVERAGE = 0
SMOOTHED = 1
SEASONAL = 2
CROSTON = 3
SBA = 4
TSB = 5
METHOD_NAMES = ("moving_average", "smoothed", "seasonal", "croston", "sba", "tsb")
N_METHODS = 6

# Layout of the float parameter vector handed to the compiled kernel.
P_ALPHA_LEVEL, P_ALPHA_SEASON, P_ALPHA_SIZE, P_ALPHA_INTERVAL, P_ALPHA_PROBABILITY = 0, 1, 2, 3, 4
P_ALPHA_ERROR, P_SWITCH_MARGIN = 5, 6
N_PARAMS = 7

# Part of the digest of a stored demand estimate (planning/estimate_store.py): bumped whenever recursions.py (or the
# way demand.py calls it) changes what the kernel computes, so that no estimate of the old code is read back.
# tests/planning/test_estimate_store.py holds the SHA-256 of recursions.py it was last bumped for.
KERNEL_VERSION = 1

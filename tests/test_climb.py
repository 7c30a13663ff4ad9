"""climb_m (vectorised median + float hysteresis) against the straightforward pandas version it
replaced: same ascent and descent to the bit, on synthetic runs, noise and short series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kneeload.io._summary import climb_m, running_median


def climb_reference(altitude: np.ndarray, threshold_m: float = 2.0) -> tuple[float, float]:
    """The previous implementation, kept as the oracle."""
    alt = altitude[~np.isnan(altitude)]
    if alt.size < 2:
        return float("nan"), float("nan")
    smooth = pd.Series(alt).rolling(5, center=True, min_periods=1).median()
    ascent = descent = 0.0
    ref = float(smooth.iloc[0])
    for value in smooth.to_numpy():
        if value >= ref + threshold_m:
            ascent += value - ref
            ref = value
        elif value <= ref - threshold_m:
            descent += ref - value
            ref = value
    return float(ascent), float(descent)


def test_hand_computed_hill():
    # 0 -> 10 -> 4 m in 1 m steps. Median of 5 (shorter at the ends):
    #   1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 8, 7, 6, 5.5, 5   (the peak 10 is filtered to 9)
    # Hysteresis from 1: up at 3, 5, 7, 9 (+2 each = 8 m); down at 7, 5 (-2 each = 4 m).
    alt = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4], dtype=float)
    assert climb_m(alt) == (8.0, 4.0)
    assert climb_m(alt) == climb_reference(alt)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(arrays(np.float64, st.integers(0, 400),
              elements=st.one_of(st.floats(-50, 3000, width=32), st.just(np.nan))),
       st.sampled_from([0.0, 0.5, 2.0, 5.0]))
def test_equals_the_reference(alt, threshold):
    a, b = climb_m(alt, threshold), climb_reference(alt, threshold)
    assert np.array_equal(np.array(a), np.array(b), equal_nan=True)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 3601])
def test_running_median_equals_pandas(n):
    x = np.random.default_rng(n).normal(100, 5, n)
    expected = pd.Series(x).rolling(5, center=True, min_periods=1).median().to_numpy()
    assert np.array_equal(running_median(x), expected)

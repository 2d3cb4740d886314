"""Downsampling a series: bounded size, spikes, NaN and both ends survive."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.store.downsampling import downsample


def test_short_series_are_kept_whole() -> None:
    values = np.array([3.0, 1.0, 2.0])
    assert downsample(values, 3).tolist() == [0, 1, 2]
    assert downsample(np.empty(0), 10).tolist() == []


@pytest.mark.parametrize("max_points", [2, 3, 4, 5, 7, 100, 999, 1000])
def test_never_more_than_asked_sorted_and_unique(max_points: int) -> None:
    values = np.random.default_rng(0).normal(size=10_007)
    values[::97] = np.nan
    kept = downsample(values, max_points)
    assert 0 < len(kept) <= max_points
    assert kept.tolist() == sorted(set(kept.tolist()))


def test_each_bucket_keeps_first_min_max_last() -> None:
    values = np.array([5.0, 1.0, 9.0, 4.0, 3.0, 8.0, 0.0, 6.0])
    assert downsample(values, 7).tolist() == [0, 2, 6, 7]  # one bucket: first, max, min, last
    values = np.arange(16, dtype=float)
    values[5] = 100.0
    values[10] = -100.0
    kept = downsample(values, 8)  # two buckets of eight
    assert kept.tolist() == [0, 5, 7, 8, 10, 15]


def test_spikes_survive_any_width() -> None:
    values = np.zeros(1_000_000)
    values[123_457] = 1e9
    values[876_543] = -1e9
    for width in (4, 10, 1000):
        kept = downsample(values, width)
        assert 123_457 in kept
        assert 876_543 in kept


def test_nan_survives() -> None:
    values = np.linspace(0.0, 1.0, 100_000)
    values[50_001] = np.nan
    kept = downsample(values, 100)
    assert 50_001 in kept
    assert len(kept) <= 100


def test_infinities_are_extremes() -> None:
    values = np.linspace(0.0, 1.0, 100_000)
    values[7] = np.inf
    values[99_990] = -np.inf
    kept = downsample(values, 40)
    assert 7 in kept
    assert 99_990 in kept


def test_tiny_budgets_keep_the_extremes() -> None:
    values = np.array([0.0, 5.0, -5.0, 1.0, 2.0, 3.0])
    assert downsample(values, 2).tolist() == [1, 2]
    assert downsample(values, 3).tolist() == [0, 1, 2]  # then the first point

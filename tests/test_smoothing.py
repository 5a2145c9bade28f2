"""Tests for vision.smoothing: the One Euro filter on timestamps."""

from __future__ import annotations

import numpy as np
import pytest

from vision.stages.smoothing import OneEuroFilter, one_euro_factory


def run(filt: OneEuroFilter, t_s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Feed samples x (shape (N,) or (N, D)) at times t_s (N,); outputs (N, D)."""
    x = x.reshape(len(t_s), -1)
    return np.array([filt.update(t, xi) for t, xi in zip(t_s, x)])


def test_first_sample_passes_through_and_properties():
    f = OneEuroFilter()
    assert f.value is None and f.velocity is None
    out = f.update(0.0, [0.3, -0.2])
    np.testing.assert_array_equal(out, [0.3, -0.2])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(f.value, [0.3, -0.2])
    np.testing.assert_array_equal(f.velocity, [0.0, 0.0])


def test_constant_input_gives_constant_output():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=5.0)
    t_s = np.arange(100) / 30.0
    out = run(f, t_s, np.tile([0.4, 0.2, -0.7], (100, 1)))
    np.testing.assert_allclose(out, np.tile([0.4, 0.2, -0.7], (100, 1)), atol=1e-15)
    np.testing.assert_allclose(f.velocity, 0.0, atol=1e-15)


def test_noisy_constant_is_smoothed():
    rng = np.random.default_rng(3)
    t_s = np.arange(600) / 30.0
    x = 0.5 + rng.normal(0.0, 0.01, size=(600, 2))
    out = run(OneEuroFilter(min_cutoff_hz=1.0, beta=0.0), t_s, x)[60:]  # after warm-up
    ratio = out.var(axis=0) / x[60:].var(axis=0)
    assert np.all(ratio < 0.15), ratio  # an EMA at alpha~0.17 gives ~0.095
    np.testing.assert_allclose(out.mean(axis=0), 0.5, atol=0.005)
    # A small beta still smooths the jitter well.
    out_b = run(OneEuroFilter(min_cutoff_hz=1.0, beta=1.0), t_s, x)[60:]
    assert np.all(out_b.var(axis=0) / x[60:].var(axis=0) < 0.25)


def ramp_lag(beta: float) -> float:
    """Steady-state lag (in x units) of the filter behind x = 0.5 t, sampled at 30 Hz."""
    t_s = np.arange(90) / 30.0
    x = 0.5 * t_s
    out = run(OneEuroFilter(min_cutoff_hz=1.0, beta=beta), t_s, x)[:, 0]
    return float(x[-1] - out[-1])


def test_ramp_lag_shrinks_with_beta():
    lag0, lag1, lag10 = ramp_lag(0.0), ramp_lag(1.0), ramp_lag(10.0)
    # beta=0 is a plain low-pass: lag = slope * tau = 0.5 / (2 pi) ~ 0.08.
    assert lag0 == pytest.approx(0.5 / (2 * np.pi), rel=0.05)
    assert lag0 > lag1 > lag10 > 0
    assert lag10 < 0.25 * lag0
    assert lag10 < 0.02


def test_backwards_time_raises():
    f = OneEuroFilter()
    f.update(1.0, [0.0])
    f.update(1.1, [0.1])
    with pytest.raises(ValueError, match=r"timestamps must increase: got t=1.05 after t=1.1"):
        f.update(1.05, [0.2])


def test_equal_time_returns_previous_output_unchanged():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=1.0)
    f.update(0.0, [0.0, 0.0])
    prev = f.update(0.1, [1.0, 1.0])
    velocity = f.velocity
    again = f.update(0.1, [5.0, -5.0])
    np.testing.assert_array_equal(again, prev)
    np.testing.assert_array_equal(f.velocity, velocity)
    # And the filter carries on from the state before the duplicate.
    g = OneEuroFilter(min_cutoff_hz=1.0, beta=1.0)
    g.update(0.0, [0.0, 0.0])
    g.update(0.1, [1.0, 1.0])
    np.testing.assert_array_equal(f.update(0.2, [1.0, 1.0]), g.update(0.2, [1.0, 1.0]))


def test_output_is_a_copy():
    f = OneEuroFilter()
    out = f.update(0.0, [1.0])
    out[0] = 99.0
    np.testing.assert_array_equal(f.value, [1.0])


def test_same_signal_at_15_and_60_hz_gives_similar_output():
    """Time-based: the sampling rate barely changes the output at the same instants."""

    def signal(t_s: np.ndarray) -> np.ndarray:
        return np.c_[np.sin(2 * np.pi * 0.5 * t_s), 0.3 * t_s]

    t15_s = np.arange(0, 60) / 15.0
    t60_s = np.arange(0, 240) / 60.0
    # (beta, tolerance): measured gaps are ~0.030 and ~0.013 on a unit sine.
    for beta, tol in ((0.0, 0.05), (2.0, 0.03)):
        out15 = run(OneEuroFilter(1.0, beta, 1.0), t15_s, signal(t15_s))
        out60 = run(OneEuroFilter(1.0, beta, 1.0), t60_s, signal(t60_s))[::4]  # same instants
        gap = np.abs(out15 - out60)[15:].max()  # after one second of warm-up
        assert gap < tol, (beta, gap)

    # The test can tell: a filter that counted frames (as if the 60 Hz clip were
    # 15 Hz) lags 4x longer, and its output is far from the 15 Hz one.
    out15 = run(OneEuroFilter(1.0, 0.0, 1.0), t15_s, signal(t15_s))
    frame_based = run(OneEuroFilter(1.0, 0.0, 1.0), np.arange(240) / 15.0, signal(t60_s))[::4]
    assert np.abs(out15 - frame_based)[15:].max() > 0.15


def test_velocity_is_per_second():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=5.0)
    for t_s in np.arange(0, 3, 1 / 60):
        f.update(t_s, [2.0 * t_s])
    assert f.velocity[0] == pytest.approx(2.0, rel=0.02)


def test_changed_length_raises():
    f = OneEuroFilter()
    f.update(0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected a vector of length 2 as before, got length 3"):
        f.update(0.1, [1.0, 2.0, 3.0])


def test_bad_samples_raise():
    f = OneEuroFilter()
    with pytest.raises(ValueError, match="non-empty 1-D vector"):
        f.update(0.0, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not finite"):
        f.update(0.0, [np.nan, 1.0])
    with pytest.raises(ValueError, match="timestamp must be finite"):
        f.update(float("inf"), [1.0])


def test_reset_forgets_state():
    f = OneEuroFilter()
    f.update(5.0, [1.0])
    f.update(6.0, [2.0])
    f.reset()
    assert f.value is None and f.velocity is None
    np.testing.assert_array_equal(f.update(0.0, [7.0]), [7.0])  # earlier time is fine now


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"min_cutoff_hz": 0.0}, r"min_cutoff_hz must be finite and > 0, got 0.0"),
        ({"min_cutoff_hz": -1.0}, r"min_cutoff_hz must be finite and > 0"),
        ({"d_cutoff_hz": 0.0}, r"d_cutoff_hz must be finite and > 0"),
        ({"beta": -0.1}, r"beta must be finite and >= 0, got -0.1"),
        ({"beta": float("nan")}, r"beta must be finite"),
        ({"min_cutoff_hz": "1"}, r"min_cutoff_hz must be a number"),
    ],
)
def test_bad_parameters_raise(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        OneEuroFilter(**kwargs)


def test_factory_makes_independent_filters():
    make = one_euro_factory(1.0, 2.0, 1.0)
    a, b = make(), make()
    assert a is not b
    assert (a.min_cutoff_hz, a.beta, a.d_cutoff_hz) == (1.0, 2.0, 1.0)
    a.update(0.0, [1.0])
    a.update(0.1, [2.0])
    assert b.value is None
    np.testing.assert_array_equal(b.update(0.0, [5.0]), [5.0])


def test_factory_validates_eagerly():
    with pytest.raises(ValueError, match="beta must be finite and >= 0"):
        one_euro_factory(1.0, -1.0, 1.0)

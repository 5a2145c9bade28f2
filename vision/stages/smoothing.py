"""One Euro filter (Casiez, Roussel, Vogel, CHI 2012) on frame timestamps.

A first-order low-pass filter whose cutoff rises with speed: slow motion is
smoothed hard (little jitter), fast motion lightly (little lag). Written from
the paper's description:

    alpha(fc, dt) = 1 / (1 + tau / dt),   tau = 1 / (2 pi fc)
    dx_hat  = lowpass(dx, alpha(d_cutoff, dt)),  dx = (x - x_prev) / dt
    fc      = min_cutoff + beta * |dx_hat|
    x_hat   = lowpass(x, alpha(fc, dt))

Time is in seconds from the frames' own timestamps, never frame counts, so
15 fps and 60 fps recordings of the same motion are smoothed alike, and a
replay gives exactly the live output. The derivative is taken from the raw
previous sample (as in the authors' reference code): a difference against the
previous *filtered* value would include the filter's lag, inflating the speed
by (1 + tau/dt), i.e. ~10x at 60 fps, and make the cutoff depend on the
frame rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["OneEuroFilter", "one_euro_factory"]


def _smoothing_factor(cutoff_hz: float | NDArray[np.float64], dt_s: float) -> float | NDArray[np.float64]:
    """alpha of an exponential low-pass with this cutoff over a step of dt_s seconds."""
    tau_s = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau_s / dt_s)


def _check_param(name: str, value: float, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"OneEuroFilter: {name} must be a number, got {value!r}")
    value = float(value)
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"OneEuroFilter: {name} must be finite and {need}, got {value!r}")
    return value


class OneEuroFilter:
    """One Euro filter for a vector (shape (D,), any D >= 1) sampled at irregular times.

    Parameters
    ----------
    min_cutoff_hz:
        Cutoff at rest, Hz. Lower = less jitter when still, more lag.
    beta:
        Cutoff increase per unit of speed, in Hz per (units of x per second).
        0 gives a plain low-pass; raise it until fast moves stop lagging.
        Depends on the units of x: in back-frame units (back lengths), values
        of a few (1 to 10) suit hand strokes; for pixels it would be ~100x
        smaller.
    d_cutoff_hz:
        Cutoff of the derivative's own low-pass, Hz.

    All components share one cutoff, driven by the norm of the filtered
    velocity, so a 2-D point is smoothed the same in every direction.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = _check_param("min_cutoff_hz", min_cutoff_hz, allow_zero=False)
        self.beta = _check_param("beta", beta, allow_zero=True)
        self.d_cutoff_hz = _check_param("d_cutoff_hz", d_cutoff_hz, allow_zero=False)
        self._t_s: float | None = None
        self._x_prev: NDArray[np.float64] | None = None  # last raw sample
        self._x_hat: NDArray[np.float64] | None = None
        self._dx_hat: NDArray[np.float64] | None = None

    def reset(self) -> None:
        """Forget all state; the next sample passes through unchanged."""
        self._t_s = None
        self._x_prev = None
        self._x_hat = None
        self._dx_hat = None

    @property
    def value(self) -> NDArray[np.float64] | None:
        """Last filtered output, shape (D,), or None before the first sample."""
        return None if self._x_hat is None else self._x_hat.copy()

    @property
    def velocity(self) -> NDArray[np.float64] | None:
        """Filtered derivative, units of x per second, shape (D,); None before the first sample."""
        return None if self._dx_hat is None else self._dx_hat.copy()

    @property
    def last_t_s(self) -> float | None:
        """Timestamp of the last sample, seconds, or None."""
        return self._t_s

    def update(self, t_s: float, x: NDArray[np.float64] | Sequence[float] | float) -> NDArray[np.float64]:
        """Filter sample ``x`` (shape (D,), or a scalar as (1,)) taken at time ``t_s`` seconds.

        Returns the filtered value, a new float64 array of shape (D,).
        The first sample passes through. A timestamp equal to the previous
        one returns the previous output unchanged (a duplicated frame).

        Raises ValueError if time goes backwards, if D changes, or if t_s or
        x is not finite.
        """
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise ValueError(f"OneEuroFilter: timestamp must be finite, got t={t_s!r}")
        x_arr = np.atleast_1d(np.asarray(x, dtype=np.float64))
        if x_arr.ndim != 1 or x_arr.shape[0] == 0:
            raise ValueError(f"OneEuroFilter: expected a non-empty 1-D vector, got shape {x_arr.shape}")
        if not np.all(np.isfinite(x_arr)):
            # One NaN would poison the state for good; the caller should skip the sample.
            raise ValueError(
                f"OneEuroFilter: sample at t={t_s} is not finite ({x_arr.tolist()}); "
                "skip this sample or reset() the filter"
            )

        if self._t_s is None or self._x_prev is None or self._x_hat is None or self._dx_hat is None:
            self._t_s = t_s
            self._x_prev = x_arr.copy()
            self._x_hat = x_arr.copy()
            self._dx_hat = np.zeros_like(x_arr)
            return x_arr.copy()

        if x_arr.shape != self._x_hat.shape:
            raise ValueError(
                f"OneEuroFilter: expected a vector of length {self._x_hat.shape[0]} as before, "
                f"got length {x_arr.shape[0]}; use one filter per signal or reset() first"
            )
        dt_s = t_s - self._t_s
        if dt_s < 0:
            raise ValueError(
                f"OneEuroFilter: timestamps must increase: got t={t_s} after t={self._t_s}; "
                "reset() the filter when a new recording or seek starts"
            )
        if dt_s == 0:
            return self._x_hat.copy()

        dx = (x_arr - self._x_prev) / dt_s
        a_d = _smoothing_factor(self.d_cutoff_hz, dt_s)
        dx_hat = a_d * dx + (1.0 - a_d) * self._dx_hat

        cutoff_hz = self.min_cutoff_hz + self.beta * float(np.linalg.norm(dx_hat))
        a = _smoothing_factor(cutoff_hz, dt_s)
        x_hat = a * x_arr + (1.0 - a) * self._x_hat

        self._t_s, self._x_prev, self._x_hat, self._dx_hat = t_s, x_arr, x_hat, dx_hat
        return x_hat.copy()


def one_euro_factory(min_cutoff_hz: float, beta: float, d_cutoff_hz: float) -> Callable[[], OneEuroFilter]:
    """A zero-argument callable making a fresh OneEuroFilter, one per hand track.

    Parameters are validated now, so a bad setting fails at start-up rather
    than when the first hand appears.
    """
    OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)  # validate eagerly

    def make() -> OneEuroFilter:
        return OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)

    return make

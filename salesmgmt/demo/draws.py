"""Random draws: one independent numpy stream per part of the company (`stream(seed, part)`),
and fast draws from fixed distributions that take exactly what `Generator.choice` would take
from the same stream, so a faster draw never changes the company."""

from __future__ import annotations

import bisect
from typing import Any, TypeVar

import numpy as np


def stream(seed: int, part: int) -> np.random.Generator:
    # One independent stream per part; SeedSequence wants non-negative entropy.
    return np.random.default_rng([seed % (2**63), part])


T = TypeVar("T")

_CDFS: dict[tuple[Any, ...], list[float]] = {}


def choice_cdf(p: list[float] | np.ndarray) -> list[float]:
    """The cumulative distribution `Generator.choice(n, p=p)` builds, cached by `p`.

    `items[bisect_right(cdf, rng.random())]` draws exactly what `rng.choice(len(items), p=p)`
    draws, from the same stream, without choice's per-call checks: at the national size the
    generator draws millions of times from a few fixed distributions.
    """
    key = tuple(p.tolist() if isinstance(p, np.ndarray) else p)
    cdf = _CDFS.get(key)
    if cdf is None:
        c = np.asarray(p, dtype=float).cumsum()
        c /= c[-1]
        cdf = _CDFS[key] = c.tolist()
    return cdf


def choose(rng: np.random.Generator, items: list[T], p: list[float] | np.ndarray) -> T:
    """`items[rng.choice(len(items), p=p)]`, faster (see `choice_cdf`)."""
    return items[bisect.bisect_right(choice_cdf(p), rng.random())]


def pick(rng: np.random.Generator, items: list[T], p: list[float] | np.ndarray | None = None) -> T:
    """One of `items`, with weights `p` (need not add up to 1) or evenly."""
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
        return choose(rng, items, p)
    return items[int(rng.integers(0, len(items)))]  # what rng.choice(len(items)) draws

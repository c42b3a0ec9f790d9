"""When investors reconsider their position: daily Bernoulli decisions, visited only when they may fire.

Each business-day session, every client of a platform decides with some probability p_t (which moves with
prices, yields and fear) whether to sell or bid. Visiting every client every session costs the model
O(clients x days) even when almost nobody acts. Thinning gives the same process at the cost of the
decisions actually taken: with a bound p_max >= p_t, the next *candidate* session is a geometric skip
Geometric(p_max) ahead, and at a candidate the investor acts with probability p_t / p_max. Each session is
then a candidate with probability p_max independently of the others, and an accepted one with probability
p_t: the daily Bernoulli(p_t) process exactly, in distribution (Lewis & Shedler's thinning, in discrete
time). Sessions are counted per platform, so a day on which the platform holds no session (a holiday, an
outage, a suspension) is not a trial, just as in the daily loop.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import numpy as np

Client = TypeVar("Client")


class DecisionCalendar(Generic[Client]):
    """A platform's calendar of clients due to reconsider, keyed by session number."""

    def __init__(self) -> None:
        self.session = 0  # sessions held so far
        self._due: dict[int, list[tuple[int, Client]]] = {}

    def schedule(self, key: int, client: Client, rng: np.random.Generator, p_max: float) -> None:
        """Put `client` at its next candidate session: a Geometric(p_max) skip past the current one.
        `key` orders clients due in the same session (stable across runs)."""
        if not 0.0 < p_max <= 1.0:
            raise ValueError(f"p_max must be in (0, 1], got {p_max}")
        at = self.session + int(rng.geometric(p_max))
        self._due.setdefault(at, []).append((key, client))

    def next_session(self) -> list[Client]:
        """Open the next session; the clients whose candidate it is, in key order. The caller reschedules
        each one (a candidate that is not accepted still continues the process)."""
        self.session += 1
        due = self._due.pop(self.session, [])
        due.sort(key=lambda item: item[0])
        return [client for _, client in due]

    def __len__(self) -> int:
        return sum(len(v) for v in self._due.values())


def accept(rng: np.random.Generator, p: float, p_max: float) -> bool:
    """At a candidate session: act with probability p / p_max, so each session acts with probability p."""
    if p > p_max * (1 + 1e-12):
        raise ValueError(f"decision probability {p} exceeds its thinning bound {p_max}")
    return bool(rng.random() * p_max < p)

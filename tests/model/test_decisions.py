"""Thinned decision calendars give the daily Bernoulli decisions they replace, visiting only candidates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.model.decisions import DecisionCalendar, accept


def run_calendar(clients: int, sessions: int, p_of_session, p_max: float, seed: int = 0):
    """Each session, every due client acts with probability p_of_session(s) (by thinning); returns the
    acts per session and the visits per session."""
    rng = np.random.default_rng(seed)
    calendar: DecisionCalendar[int] = DecisionCalendar()
    for c in range(clients):
        calendar.schedule(c, c, rng, p_max)
    acts, visits = [], []
    for s in range(1, sessions + 1):
        due = calendar.next_session()
        visits.append(len(due))
        n = 0
        for c in due:
            calendar.schedule(c, c, rng, p_max)
            n += accept(rng, p_of_session(s), p_max)
        acts.append(n)
    return np.array(acts), np.array(visits)


def within(observed: float, trials: int, p: float, sds: float = 4.0) -> bool:
    return abs(observed - trials * p) <= sds * math.sqrt(trials * p * (1 - p))


def test_constant_probability_gives_the_bernoulli_rate_and_visits_few():
    acts, visits = run_calendar(clients=2_000, sessions=300, p_of_session=lambda s: 0.004, p_max=0.05)
    assert within(acts.sum(), 2_000 * 300, 0.004)
    # every session is a candidate for each client with probability p_max: the visits are 5 %, not 100 %
    assert within(visits[50:].sum(), 2_000 * 250, 0.05)


def test_a_probability_that_moves_is_followed_session_by_session():
    # fear arrives at session 101 and lasts 100 sessions: the rate jumps 10x then falls back
    def p(s):
        return 0.03 if 101 <= s <= 200 else 0.003
    acts, _ = run_calendar(clients=3_000, sessions=300, p_of_session=p, p_max=0.04, seed=1)
    assert within(acts[:100].sum(), 3_000 * 100, 0.003)
    assert within(acts[100:200].sum(), 3_000 * 100, 0.03)
    assert within(acts[200:].sum(), 3_000 * 100, 0.003)


def test_each_client_acts_on_independent_sessions():
    """The gaps between one client's acts are geometric with mean 1/p, as for daily draws."""
    rng = np.random.default_rng(2)
    calendar: DecisionCalendar[str] = DecisionCalendar()
    calendar.schedule(0, "a", rng, 0.2)
    acted = []
    for s in range(1, 200_001):
        for client in calendar.next_session():
            calendar.schedule(0, client, rng, 0.2)
            if accept(rng, 0.02, 0.2):
                acted.append(s)
    gaps = np.diff(acted)
    assert abs(gaps.mean() - 50) < 2.5  # 1 / 0.02, about 4,000 gaps
    assert abs(np.mean(gaps == 1) - 0.02) < 0.006  # acting on consecutive sessions as often as chance says


def test_due_clients_come_in_key_order_and_bounds_are_checked():
    rng = np.random.default_rng(3)
    calendar: DecisionCalendar[str] = DecisionCalendar()
    for key, name in [(5, "e"), (1, "a"), (3, "c")]:
        calendar.schedule(key, name, rng, 1.0)  # p_max 1: due at the very next session
    assert calendar.next_session() == ["a", "c", "e"]
    assert len(calendar) == 0
    with pytest.raises(ValueError, match="p_max"):
        calendar.schedule(0, "x", rng, 0.0)
    with pytest.raises(ValueError, match="exceeds its thinning bound"):
        accept(rng, 0.5, 0.1)

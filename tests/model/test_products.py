"""The product catalogue (simulator/model/products.py) and the choice model on it: today's products reproduce
the observed southbound mix; listing tokenised products draws wealth from every other product; the rating cap
and the list bound the choice set."""

from __future__ import annotations

import pytest

from simulator.model.portfolio import Coefficients, shares
from simulator.model.products import (
    CATALOGUE,
    CONVENTIONAL,
    INVESTED_SHARE,
    TODAY_MIX,
    TOKENISED,
    choice_set,
    constants,
)


def test_today_the_median_investor_holds_the_observed_mix():
    today = choice_set({})
    assert [t.name for t in today] == [p.terms.name for p in CONVENTIONAL]  # no token is listed today
    s = shares(today, Coefficients(), 1.0, constants())
    assert sum(s.values()) == pytest.approx(INVESTED_SHARE)
    for name, m in TODAY_MIX.items():
        assert s[name] / INVESTED_SHARE == pytest.approx(m)


def test_every_figure_says_where_it_comes_from():
    for p in CATALOGUE.values():
        assert "FACTS" in p.source or "sensitivity" in p.source, p.terms.name
        assert 1 <= p.risk_rating <= 5 and p.settlement_days >= 0 and p.analogue in CATALOGUE
    assert {p.terms.name for p in TOKENISED if p.tokenised} == {p.terms.name for p in TOKENISED}
    assert not any(p.cwm_listed for p in TOKENISED)  # tokenised revenue rights are not eligible today (FACTS, H)


def test_listing_the_tokens_draws_wealth_from_deposits_funds_and_home():
    asc = constants()
    today = shares(choice_set({}), Coefficients(), 1.0, asc)
    listed = shares(choice_set({p.terms.name: True for p in TOKENISED}), Coefficients(), 1.0, asc)
    tokens = sum(listed[p.terms.name] for p in TOKENISED)
    assert tokens > 0
    for name in TODAY_MIX:
        assert listed[name] < today[name]
    assert sum(listed.values()) > sum(today.values())  # some of it comes from home (more is invested)
    # a taste against tokens (a negative shift) lowers their share
    wary = shares(choice_set({p.terms.name: True for p in TOKENISED}), Coefficients(), 1.0, constants(token_shift=-2))
    assert sum(wary[p.terms.name] for p in TOKENISED) < tokens


def test_the_rating_cap_and_the_list_bound_the_choice_set():
    everything = {p.terms.name: True for p in TOKENISED}
    capped = [t.name for t in choice_set(everything, max_risk_rating=3)]
    assert "solar_token" not in capped and "ev_charging_token" not in capped  # rated 4
    assert "green_bond_token" in capped and "hk_fund" in capped
    assert "hk_deposit" not in [t.name for t in choice_set({"hk_deposit": False})]

"""What a run measures: the counters actors add to, the daily time-series row and the summary row.

Both rows are read from the actors' public state; no other module formats results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.model.classes import CLASS_NAMES
from simulator.model.cwm_market import WORLD_TOKEN
from simulator.model.policy import REASONS
from simulator.model.products import CATALOGUE, PRODUCT_CLASSES, product_class
from simulator.model.valuation import irr
from simulator.units import DAY, MINOR_PER_MAJOR, TOKEN, tokens_e9

if TYPE_CHECKING:
    from simulator.model.world import World


@dataclass(slots=True)
class Counters:
    trades: int = 0
    volume_cents: int = 0
    settlement_failures: int = 0
    aml_missed: int = 0
    platform_outage_days: int = 0
    capital_idle_cent_days: int = 0  # buyer cash waiting between match and settlement, cents x days
    counterparty_failures: int = 0
    settlement_latency_s_total: int = 0  # summed, not listed: a long run settles millions of trades
    claimed_cents: int = 0
    cwm_investors: int = 0  # mainland agents onboarded at a CWM channel
    cwm_remitted_fen: int = 0  # their southbound remittances, gross (principal, every purchase's)
    aggregate_quota_bound_day: int | None = None  # first day a purchase was refused, cut or scaled by it
    refused: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))


def daily_row(w: World) -> dict[str, Any]:
    """One row of timeseries.csv: the state of the world at 00:00 of the day, after the day's FX and VA price
    step and the ETF marks (`World.daily`), before the day's sessions, settlements and payouts."""
    c = w.counters
    etfs = w.etfs
    return {
        "day": w.day, "date": w.date().isoformat(),
        "investors_onboarded": sum(len(p.clients) for p in w.platforms.values()),
        "holders": len(w.holdings.holders),
        **{f"holders_{cls}": n for cls, n in w.holdings.by_class.items()},
        "tokens_outstanding_e9": tokens_e9(w.holdings.tokens_outstanding),
        "capital_idle_hkd_days_cum": c.capital_idle_cent_days // MINOR_PER_MAJOR,
        "settlement_failures_cum": c.settlement_failures,
        "price_hkd_cents": w.market.price_cents,
        "trades_cum": c.trades,
        "volume_hkd_cents_cum": c.volume_cents,
        "distributions_hkd_cents_cum": w.revenue.distributed_cents,
        "cwm_aggregate_quota_used_fen": w.policy.cwm_aggregate_used_fen,
        "cwm_aggregate_quota_fen": w.policy.rules.cwm.aggregate_quota_fen,  # in force (a shock may change it)
        # the whole market's, as published: each agent stands for agent_weight real investors
        "cwm_investors": c.cwm_investors * w.policy.rules.cwm.agent_weight,
        "cwm_remitted_cny_cum": c.cwm_remitted_fen * w.policy.rules.cwm.agent_weight // MINOR_PER_MAJOR,
        "refused_cum": sum(c.refused.values()),
        "sentiment": round(w.market.sentiment, 4),
        "offering_state": w.issuer.state,
        "platforms_licensed": sum(1 for p in w.platforms.values() if p.licensed),
        "va_price_usd_cents": w.va.price_usd_cents,
        "va_sold_coins_e8_cum": w.disposal.stats.sold_units,
        "etf_value_hkd": etfs.value_cents() // MINOR_PER_MAJOR if etfs.positions else 0,
        **{f"fx_{k[4:].lower()}_per_usd_e8": v for k, v in sorted(w.fx.rates().items())},  # "USD/HKD" -> hkd
        **{f"market_{p}_hkd": cents // MINOR_PER_MAJOR for p, cents in _market_holdings(w).items()},
    }


def _stdev(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def _pct(ratio: float) -> float:
    """A ratio as a percentage rounded to 4 decimals, the same way everywhere."""
    return float(f"{ratio * 100:.4f}")


def _yield_pct(received_cents: int, capital_cent_days: int) -> float | None:
    """Time-weighted annual yield: distributions received over the cost of the tokens times the time they
    were held (a ratio, not money: percent to 4 decimals, computed from integers on every platform); None
    when nobody of the class held tokens."""
    if not capital_cent_days:
        return None
    pct_e6 = received_cents * 10**8 * 365 // capital_cent_days
    return float(f"{pct_e6 // 10**6}.{pct_e6 % 10**6 // MINOR_PER_MAJOR:04d}")


def _returns(w: World) -> dict[str, Any]:
    """Holders' money-weighted returns: each class's purchases, sales, payouts and buy-backs, plus what its
    tokens are worth at the horizon (their discounted value, `SecondaryMarket.value_cents`), as an IRR;
    the value of the right at its close; when the term ends."""
    value = w.market.value_cents()
    horizon_day = w.cfg.horizon_days
    flows: dict[str, dict[int, int]] = {}
    exit_total = 0
    for cls in CLASS_NAMES:  # frozen tokens cannot be realised: no exit value (see `value_stranded_hkd`)
        held = sum(i.tokens for i in w.investors if i.cls == cls and not (i.frozen or i.key_lost))
        exit_cents = held * value // TOKEN
        exit_total += exit_cents
        flows[cls] = dict(w.holdings.flows[cls])
        flows[cls][horizon_day] = flows[cls].get(horizon_day, 0) + exit_cents
    every: dict[int, int] = {}
    for by_day in flows.values():
        for day, cents in by_day.items():
            every[day] = every.get(day, 0) + cents
    issuer = w.issuer
    return {
        **{f"irr_pct_{cls}": _rate_pct(irr(flows[cls])) for cls in CLASS_NAMES},
        "irr_pct_all": _rate_pct(irr(every)),
        "exit_value_hkd": exit_total // MINOR_PER_MAJOR,
        "value_stranded_hkd": sum(i.tokens for i in w.investors if i.frozen or i.key_lost) * value // TOKEN
        // MINOR_PER_MAJOR,
        # set when the right starts, at the close
        "value_per_token_at_close_hkd_cents": w.revenue.value_at_close_cents if issuer.term_end is not None else None,
        "term_end_day": (issuer.term_end - w.cfg.start_date).days if issuer.term_end is not None else None,
    }


def _market_holdings(w: World) -> dict[str, int]:
    """The CWM market's investors' holdings of each catalogue product now, HKD cents (0 without a market)."""
    if w.cwm_market is None:
        return dict.fromkeys(CATALOGUE, 0)
    return w.cwm_market.holdings_cents()


def _market(w: World) -> dict[str, Any]:
    """The CWM market's summary: per product its end holdings, holders, purchases, sales and IRR (the end
    holdings counted as a final inflow); per class its share of the southbound holdings."""
    m = w.cwm_market
    held = _market_holdings(w)
    total = sum(held.values())
    row: dict[str, Any] = {
        "market_investors": len(m.portfolios) if m else 0,
        "market_rebalances": m.rebalances if m else 0,
        "market_southbound_hkd": total // MINOR_PER_MAJOR,
    }
    horizon = w.cfg.horizon_days
    for p in CATALOGUE:
        if m is None or p not in m.products:
            row.update({f"market_{p}_hkd": 0, f"market_{p}_holders": 0, f"market_{p}_bought_hkd": 0,
                        f"market_{p}_sold_hkd": 0, f"market_{p}_irr_pct": None, f"market_{p}_refused": 0})
            continue
        if p == WORLD_TOKEN:  # the world's token: the market's investors' own purchases, sales and payouts
            flows = dict(w.holdings.flows["mainland_gba"])
            holders = sum(1 for i in m.portfolios if w.investors[i].tokens > 0)
            bought = -sum(v for v in flows.values() if v < 0)
            sold = sum(v for v in flows.values() if v > 0)
        else:
            stats = m.stats[p]
            flows = dict(stats.flows)
            holders = sum(1 for port in m.portfolios.values() if port.units.get(p, 0) > 0)
            bought, sold = stats.bought_cents, stats.sold_cents
        flows[horizon] = flows.get(horizon, 0) + held[p]
        row.update({f"market_{p}_hkd": held[p] // MINOR_PER_MAJOR, f"market_{p}_holders": holders,
                    f"market_{p}_bought_hkd": bought // MINOR_PER_MAJOR,
                    f"market_{p}_sold_hkd": sold // MINOR_PER_MAJOR, f"market_{p}_irr_pct": _rate_pct(irr(flows)),
                    f"market_{p}_refused": m.stats[p].refused})
    by_class = dict.fromkeys(PRODUCT_CLASSES, 0)
    for p, cents in held.items():
        by_class[product_class(CATALOGUE[p].kind)] += cents
    row.update({f"market_share_{c}_pct": _pct(v / total) if total else None for c, v in by_class.items()})
    # the positions each kind of CWM channel holds for its clients as nominee (a client of a bank and a broker:
    # its first channel's)
    held_by = {"bank": 0, "broker": 0}
    if m is not None:
        for index, port in m.portfolios.items():
            inv = w.investors[index]
            kind = w.channels.by_name[inv.channels[0]].cfg.kind
            held_by[kind] += sum(m.value_cents(n, u) for n, u in port.units.items() if u) + \
                m.value_cents(WORLD_TOKEN, inv.tokens)
    row.update({f"market_held_{k}_hkd": v // MINOR_PER_MAJOR for k, v in held_by.items()})
    # of every tokenised purchase by the market's investors (the world's token is bought in HKD)
    settled = (m.token_settled_cents + (row[f"market_{WORLD_TOKEN}_bought_hkd"] * MINOR_PER_MAJOR)) if m else 0
    row["market_cnh_settled_pct"] = _pct(m.cnh_settled_cents / settled) if m and settled else None
    return row


def _rate_pct(rate: float | None) -> float | None:
    return None if rate is None else _pct(rate)


def summary_row(w: World, scenario: str, backend: str, wall_seconds: float, reconciliation: int) -> dict[str, Any]:
    """The one row of summary.csv. Accrues every holding to the horizon first (it ends the run's books)."""
    c, inv = w.counters, w.investors
    issuer, disposal, etfs = w.issuer, w.disposal.stats, w.etfs
    row: dict[str, Any] = {
        "scenario": scenario,
        "seed": w.seed,
        "backend": backend,
        "horizon_days": w.cfg.horizon_days,
        "investors_onboarded": sum(1 for i in inv if i.onboarded),
    }
    for cls in CLASS_NAMES:
        row[f"investors_by_class_{cls}"] = sum(1 for i in inv if i.onboarded and i.cls == cls)
    opened = issuer.opened_day
    fill: int | None
    if opened is None:
        fill = None
    elif issuer.filled_day is not None:
        fill = issuer.filled_day - opened
    else:
        fill = issuer.closed_day - opened if issuer.closed_day is not None else None
    first = w.revenue.first_distribution_day
    row.update({
        "capital_raised_hkd": issuer.capital_raised_cents // MINOR_PER_MAJOR,
        "offering_fill_days": fill,
        "offering_outcome": issuer.state,
        "offering_filled": issuer.filled_day is not None,
        "approval_days": issuer.approval_days,
        "first_distribution_day": first,
        "tokens_outstanding_e9": tokens_e9(sum(i.tokens for i in inv)),
        "holders_end": sum(1 for i in inv if i.tokens > 0),
        "distributions_paid_hkd": w.revenue.distributed_cents // MINOR_PER_MAJOR,  # net of withholding
        "payouts_gross_cny": w.revenue.gross_payouts_fen // MINOR_PER_MAJOR,  # the holders' share, before tax
        "withholding_tax_cny": w.revenue.withheld_fen // MINOR_PER_MAJOR,
    })
    end_s = w.cfg.horizon_days * DAY
    for i in inv:
        w.holdings.accrue(i, end_s)
    for cls in CLASS_NAMES:
        members = [i for i in inv if i.cls == cls and i.capital_cent_days > 0]
        row[f"cash_yield_pct_{cls}"] = _yield_pct(sum(i.received_cents for i in members),
                                                  sum(i.capital_cent_days for i in members))
    row.update(_returns(w))
    row.update({
        "secondary_trades": c.trades,
        "secondary_volume_hkd": c.volume_cents // MINOR_PER_MAJOR,
        "settlement_failures": c.settlement_failures,
        # the most any one investor has in use (the individual quota binds on it), and the total over investors
        "cwm_individual_quota_max_used_cny": max(w.policy.cwm_used_fen.values(), default=0) // MINOR_PER_MAJOR,
        "cwm_individual_quota_total_used_cny": sum(w.policy.cwm_used_fen.values()) // MINOR_PER_MAJOR,
        "cwm_aggregate_quota_used_cny": w.policy.cwm_aggregate_used_fen // MINOR_PER_MAJOR,
        "cwm_aggregate_quota_bound_day": c.aggregate_quota_bound_day,
        **{f"cwm_clients_{kind}": sum(1 for i in inv if i.onboarded and len(i.channels) == 1
                                      and w.channels.by_name[i.channels[0]].cfg.kind == kind)
           for kind in ("bank", "broker")},
        "cwm_clients_bank_and_broker": sum(1 for i in inv if i.onboarded and len(i.channels) == 2),
        **{f"refused_{r}": c.refused[r] for r in REASONS},
        "aml_missed": c.aml_missed,
        "aml_detected_later": w.legal.stats.detected,
        "wallets_frozen": w.legal.stats.frozen,
        "court_orders_executed": w.legal.stats.forced_transfers,
        "court_orders_unenforced": w.legal.stats.unenforced,
        "tokens_seized_e9": tokens_e9(w.legal.stats.tokens_seized),
        "tokens_frozen_end_e9": tokens_e9(sum(i.tokens for i in w.investors if i.frozen)),
        "claims_issued": w.claims.stats.issued,
        "claim_reviews_completed": w.claims.stats.reviews_completed,
        "claims_lapsed": w.claims.stats.lapsed,
        "claims_revoked": w.claims.stats.revoked,
        "claim_issuers_distrusted": w.claims.stats.issuers_distrusted,
        "keys_lost": w.legal.stats.keys_lost,
        "wallets_recovered": w.legal.stats.recoveries,
        "tokens_key_lost_end_e9": tokens_e9(sum(i.tokens for i in w.investors if i.key_lost)),
        "capital_idle_hkd_days": c.capital_idle_cent_days // MINOR_PER_MAJOR,
        "counterparty_failures": c.counterparty_failures,
        "platform_outage_days": c.platform_outage_days,
        "disposal_sold_coins_e8": disposal.sold_units,
        "disposal_proceeds_cny": disposal.proceeds_fen // MINOR_PER_MAJOR,
        "disposal_days_to_finish": (disposal.finished_day - w.cfg.disposal.start_day
                                    if disposal.finished_day is not None else None),
        "disposal_mean_impact_bps": (sum(disposal.impact_bps) // len(disposal.impact_bps)
                                     if disposal.impact_bps else None),
        "etf_investors": len(etfs.positions),
        "etf_subscribed_hkd": etfs.stats.subscribed_cents // MINOR_PER_MAJOR,
        "etf_value_end_hkd": etfs.value_cents() // MINOR_PER_MAJOR if etfs.positions else 0,
        "etf_realized_pnl_hkd": etfs.stats.realized_pnl_cents // MINOR_PER_MAJOR,
        "etf_panic_sellers": etfs.stats.panic_sellers,
        # not applicable before two daily returns (a volatility) or one mark (a drawdown) of a position
        "etf_daily_vol_pct": _pct(_stdev(etfs.stats.returns)) if len(etfs.stats.returns) >= 2 else None,
        "etf_max_drawdown_pct": _pct(etfs.stats.max_drawdown) if etfs.stats.last_price else None,
        "settlement_latency_days_mean": round(c.settlement_latency_s_total / c.trades / DAY, 4) if c.trades else None,
        **_market(w),
        "tx_count": w.chain.tx_count,
        # gas as a chain charges it (per transaction, cold slots first) on pyevm, web3 and a node; revm's is
        # its session's (slots stay warm across transactions: less), so it gets a name of its own
        **({"gas_used_chain": None, "gas_used_revm_session": w.chain.gas_used_total} if w.chain.backend.name == "revm"
           else {"gas_used_chain": w.chain.gas_used_total, "gas_used_revm_session": None}),
        "reconciliation_diff_minor": reconciliation,
        "wall_seconds": round(wall_seconds, 3),
    })
    return row

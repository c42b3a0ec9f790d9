"""Write the scenario notebooks (without outputs) from one definition each: `python notebooks/build_notebooks.py`.

The notebooks are thin: a parameter cell, a run, and plots from `simulator.report`, each followed by the
finding it shows. Findings quote the full-size run of the scenario file as written (seed in the file).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """import sys
from pathlib import Path

import pandas as pd
from IPython.display import display

ROOT = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
sys.path.insert(0, str(ROOT))
from simulator import report, report_market
from simulator.runner import run_scenario
from simulator.scenario import load_scenario

%matplotlib inline"""


def _write(nb: nbformat.NotebookNode, name: str) -> None:
    """Cell ids by position, so rebuilding an unchanged notebook changes no byte."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:40]}-{i:02d}"
    nbformat.write(nb, HERE / f"{name}.ipynb")


def params(small: dict) -> str:
    lines = ['SCALE = "small"  # "small" runs in seconds; "full" runs the scenario file as written',
             "SEED = None  # None: the scenario's own seed",
             f"SMALL_OVERRIDES = {small!r}"]
    return "\n".join(lines)


def run_cell(name: str) -> str:
    return f"""scenario = load_scenario(ROOT / "scenarios" / "{name}.toml",
                         [f"{{k}}={{v}}" for k, v in SMALL_OVERRIDES.items()] if SCALE == "small" else [])
result = run_scenario(scenario, SEED)
run = report.frames(result)
assert result.summary["reconciliation_diff_minor"] == 0
display(pd.Series(result.summary).to_frame("value").T[[c for c in result.summary if not c.startswith("refused_")]])"""


def notebook(name: str, title: str, question: str, small: dict, plots: list[tuple[str, str]],
             extra: list | None = None):
    cells = [new_markdown_cell(f"# {title}\n\n{question}\n\nScenario file: `scenarios/{name}.toml` "
                               "(its header comment names the facts it rests on)."),
             new_code_cell(params(small), metadata={"tags": ["parameters"]}),
             new_code_cell(SETUP),
             new_code_cell(run_cell(name))]
    for code, finding in plots:
        cells.append(new_code_cell(code))
        cells.append(new_markdown_cell(finding))
    cells.extend(extra or [])
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    _write(nb, name)


def compare(name: str, variants: dict[str, dict], metrics: dict[str, str], title: str) -> str:
    return f"""variants = {variants!r}
runs = {{}}
for label, changes in variants.items():
    overrides = {{**(SMALL_OVERRIDES if SCALE == "small" else {{}}), **changes}}
    sc = load_scenario(ROOT / "scenarios" / "{name}.toml", [f"{{k}}={{v}}" for k, v in overrides.items()])
    runs[label] = report.frames(run_scenario(sc, SEED))
report.compare_bars(runs, {metrics!r}, {title!r})"""


def build() -> None:
    notebook(
        "solar_gba_baseline", "Baseline: Hubei solar revenue rights through one licensed HK platform",
        "How does the deal fare under today's rules: professional and international investors only, CWM Connect "
        "not available for the token, 5 years of monthly distributions and secondary trading?",
        {"horizon_days": 730},
        [("report.fill_curve(run)", "**Finding.** The HK$217 m raise (about RMB 200 m, the size of the GCL Dec-2024 "
          "deal) fills within the offering window from roughly 140 professional and institutional investors: "
          "the professional pool alone is deep enough at this size."),
         ("report.refusals(run)", "**Finding.** Everyone outside the professional perimeter is turned away by name: "
          "HK retail (`professional_only`, SFC Nov-2023 circular) and mainland residents (`cwm_product_not_eligible`: "
          "the token is not on the southbound list). KYC and AML refuse a few more."),
         ("report.distributions(run)", "**Finding.** Distributions arrive every month once the tokens exist, with "
          "the seasons (and wet spells) visible in the step sizes; over 5 years (full run) holders receive about "
          "HK$89 m net of VAT, O&M and the 10 % withholding."),
         ("report.yield_by_class(run)", "**Finding.** The cash yield (distributions over the capital held) is "
          "about 9 % a year for every class (full run), but it includes capital coming back: the right ends "
          "with its 25-year term. The money-weighted IRR, marking what is held at the horizon at its "
          "discounted value, is about 7.2 %, the rate the default deal is priced at "
          "(`result.summary['irr_pct_all']`)."),
         ("report.price_volume(run)", "**Finding.** The secondary market is thin: a professional-only holder base "
          "trades rarely (about 150 trades in 5 years at full size), and prices stay near the discounted value of "
          "the expected payouts: no seasonal spike.")])
    notebook(
        "cwm_inclusion", "CWM inclusion: tokenised revenue rights on the southbound product list",
        "What happens to mainland demand, quota use and refusals when the token enters the CWM Connect list? "
        "Sweep the individual quota (RMB 1 m / 3 m) and whether the product's risk rating is allowed with "
        "`rwa-sim sweep` "
        "(command in the scenario header).",
        {"horizon_days": 400, "investors.mainland_gba.count": 250},
        [("report.quota_use(run)", "**Finding.** Mainland demand consumes southbound quota once the product is "
          "listed, but the RMB 150 bn aggregate is nowhere near binding at deal sizes like this (about RMB 88 m "
          "in use at full size): the aggregate quota is not the constraint, the product list is."),
         ("report.refusals(run)", "**Finding.** The binding rules are individual: about half of mainland applicants "
          "fail the eligibility legs (`cwm_investor_not_eligible`), those outside CWM meet the SAFE rule, and a few "
          "proceeds requests to other accounts are refused by the closed loop. The largest tickets are cut to the "
          "RMB 3 m individual quota (`ticket_cut` events), not refused."),
         ("report.holders_by_class(run)", "**Finding.** Mainland investors become the largest holder class, which "
          "makes the deal's secondary market depend on southbound flows.")],
        [new_code_cell(compare("cwm_inclusion", {"quota RMB 1 m": {"policy.cwm.individual_quota_cny": 1000000},
                                                 "quota RMB 3 m": {"policy.cwm.individual_quota_cny": 3000000}},
                               {"most one investor has in use (RMB)": "cwm_individual_quota_max_used_cny",
                                "mainland investors": "investors_by_class_mainland_gba",
                                "quota in use (RMB)": "cwm_aggregate_quota_used_cny"},
                               "Individual quota RMB 1 m versus RMB 3 m")),
         new_markdown_cell("**Finding.** Raising the individual quota from RMB 1 m to RMB 3 m (the Feb-2024 change) "
                           "lets the same investors put more in: tickets are cut at the quota, so the change shows "
                           "in the quota in use, not in refusals."),
         new_code_cell(compare("cwm_inclusion", {"rated medium-high (4)": {"policy.cwm.product_risk_rating": 4},
                                                 "rated high (5)": {"policy.cwm.product_risk_rating": 5}},
                               {"risk-rating refusals": "refused_cwm_risk_rating",
                                "mainland investors": "investors_by_class_mainland_gba",
                                "capital raised (HK$)": "capital_raised_hkd"},
                               "Product risk rating allowed or not")),
         new_markdown_cell("**Finding.** A listing is worth nothing to mainland investors if the token is rated above "
                           "medium-high: every one of them is refused (`cwm_risk_rating`) and the raise falls back "
                           "on Hong Kong and international money.")])
    notebook(
        "retail_authorisation", "Retail authorisation versus professional-only",
        "What changes when the product is authorised for Hong Kong retail investors?",
        {"horizon_days": 300, "investors.hk_retail.count": 600},
        [("report.fill_curve(run)", "**Finding.** With retail authorised, the offering fills faster and is "
          "oversubscribed, so pro-rata allocation scales everyone back."),
         ("report.holders_by_class(run)", "**Finding.** The holder base broadens by an order of magnitude (about "
          "1,170 holders at full size against about 130 professional-only), which also deepens the secondary market.")],
        [new_code_cell(compare("retail_authorisation", {"professional-only": {"policy.retail_authorised": "false"},
                                                        "retail authorised": {"policy.retail_authorised": "true"}},
                               {"investors onboarded": "investors_onboarded", "holders at the end": "holders_end",
                                "secondary trades": "secondary_trades"}, "Professional-only versus retail")),
         new_markdown_cell("**Finding.** Authorisation is the difference between a private placement and a market.")])
    notebook(
        "settlement_t5_vs_dvp", "Settlement: conventional T+5 versus on-chain DvP (T+1, T+0)",
        "How much cash sits idle and how many trades fail between match and settlement? (Anchor: HK tokenised "
        "green bonds moved from T+5 to T+1.)",
        {"horizon_days": 500},
        [("report.settlement_latency(run)", "**Finding.** At T+5 every trade waits a week of calendar time; the "
          "latency distribution is the settlement convention itself.")],
        [new_code_cell(compare("settlement_t5_vs_dvp", {"T+5": {"market.settlement_t_plus": 5},
                                                        "T+1": {"market.settlement_t_plus": 1},
                                                        "T+0": {"market.settlement_t_plus": 0}},
                               {"buyer cash idle (HK$ x days)": "capital_idle_hkd_days",
                                "failed settlements": "settlement_failures",
                                "counterparty failures": "counterparty_failures"}, "T+5 versus DvP")),
         new_markdown_cell("**Finding.** Moving to on-chain DvP cuts idle buyer cash by about three quarters at T+1 "
                           "and almost entirely at T+0, and settlement failures fall with the length of the window: "
                           "a failed leg reverts on-chain and moves nothing, so the cost of a failure is a lost "
                           "trade, not a broken position.")])
    notebook(
        "regulatory_divergence_shock", "Regulatory divergence: a rumoured mainland ban and a licence suspension",
        "What happens to price, sell pressure, holders by class and distributions when a mainland ban is rumoured "
        "(day 700) and the main platform's licence is suspended for 90 days (day 760)?",
        {},
        [("report.price_volume(run)", "**Finding.** The rumour knocks the price down as fear lowers the value buyers "
          "pay and mainland holders sell twice as readily; it recovers as the fear fades."),
         ("report.holders_by_class(run)", "**Finding.** The holder mix barely moves (full run: 71 mainland holders "
          "before the rumour, 75 after): fear changes the price at which tokens change hands more than who holds "
          "them, since fewer buyers bid while it lasts."),
         ("report.distributions(run)", "**Finding.** Distributions never stop: the revenue, the oracle and the "
          "distributor do not depend on the platform, so holders keep being paid through the suspension.")])
    notebook(
        "ftz_opening", "FTZ opening: 120-day approvals and free repatriation",
        "How much do the FTZ opinions' 120-day approval bound and free repatriation matter against a slower "
        "approval and a delayed repatriation?",
        {"horizon_days": 900},
        [("report.distributions(run)", "**Finding.** Under the 120-day bound the offering opens within four months "
          "and holders are paid from about month seven.")],
        [new_code_cell(compare("ftz_opening", {"120 days, free": {},
                                               "360 days, 90-day delay": {"issuer.approval_bound_days": 360,
                                                                          "issuer.approval_min_days": 240,
                                                                          "issuer.repatriation_delay_days": 90}},
                               {"approval days": "approval_days", "first distribution (day)": "first_distribution_day",
                                "distributions paid (HK$)": "distributions_paid_hkd"}, "FTZ rules versus slow rules")),
         new_markdown_cell("**Finding.** A slow approval and a 90-day repatriation delay push the first payout back "
                           "by most of a year and roughly halve what holders receive within the horizon: the "
                           "approval bound matters more than the delay.")])
    notebook(
        "seized_asset_disposal", "Seized-asset disposal through licensed HK platforms",
        "An authority sells 3,000 seized coins through two licensed platforms, an equal slice each business day "
        "(TWAP) under daily volume caps. Price impact, days to finish, proceeds in CNY, traceability.",
        {},
        [("report.disposal(run)", "**Finding.** The volume caps, not the TWAP schedule, set the pace: the caps "
          "refuse part of the daily slices and the disposal finishes days later than planned."),
         ("report.refusals(run)", "**Finding.** Every capped slice is recorded as `no_liquidity`, and every sale is "
          "an on-chain movement with its block in events.csv, so the disposal is traceable end to end.")],
        [new_code_cell(compare("seized_asset_disposal", {"5 days": {"disposal.days": 5},
                                                         "20 days": {"disposal.days": 20},
                                                         "60 days": {"disposal.days": 60}},
                               {"mean impact (bps)": "disposal_mean_impact_bps",
                                "days to finish": "disposal_days_to_finish",
                                "proceeds (CNY)": "disposal_proceeds_cny"}, "Disposal speed")),
         new_markdown_cell("**Finding.** Selling faster costs more impact per sale; selling slower exposes the "
                           "proceeds to the price path instead.")])
    notebook(
        "va_etf_cwm", "Spot virtual-asset ETFs on the CWM list",
        "What if HK spot VA ETFs were admitted to the CWM southbound list? Mainland demand, quota consumption and "
        "the volatility mainland investors would bear.",
        {"investors.mainland_gba.count": 300},
        [("report.etf_value(run)", "**Finding.** Demand arrives with the investors and consumes southbound quota; "
          "the value mainland investors hold then swings with the coin price (about 2.5-2.8 % a day, calibrated "
          "to BTC)."),
         ("report.quota_use(run)", "**Finding.** ETF purchases use the same individual and aggregate quotas as every "
          "other southbound product, so a popular VA ETF would compete with the token for quota.")],
        [new_code_cell('print("daily volatility %:", result.summary["etf_daily_vol_pct"], '
                       '"max drawdown %:", result.summary["etf_max_drawdown_pct"], '
                       '"panic sellers:", result.summary["etf_panic_sellers"], "of", result.summary["etf_investors"])'),
         new_markdown_cell("**Finding.** The drawdowns are what CWM's product rules exist to keep from retail "
                           "mainland investors: in this (sensitivity) price model many holders sell at a loss. "
                           "The VA price process is an assumption, not a forecast.")])
    notebook(
        "legal_recognition", "Legal recognition of the token register",
        "Bad actors slip through onboarding AML; ongoing monitoring catches them and the agent freezes their "
        "wallets; a court then orders their tokens handed to a receiver. What does legal recognition of the "
        "on-chain register buy?",
        {"horizon_days": 1100},
        [("report.refusals(run)", "**Finding.** Onboarding screening refuses most bad actors by name "
          "(`aml_flagged`); the ones it misses are the cases the legal tools are for.")],
        [new_code_cell(compare("legal_recognition", {"recognised": {"legal.onchain_recognition": "true"},
                                                     "not recognised": {"legal.onchain_recognition": "false"}},
                               {"court orders executed": "court_orders_executed",
                                "orders not enforceable": "court_orders_unenforced",
                                "value left frozen (HK$)": "value_stranded_hkd"}, "Register recognised or not")),
         new_markdown_cell("**Finding.** With a recognised register every court order is executed on-chain by the "
                           "agent's forced transfer the day it is made; without recognition the same orders cannot "
                           "be given effect on-chain and the tokens stay frozen, their value stranded.")])
    market_notebooks()
    sweep_nb()
    sensitivity_nb()
    calibration_nb()


MARKET_SMALL = {"horizon_days": 600, "investors.mainland_gba.count": 300, "investors.mainland_gba.arrival_days": 400,
                "policy.cwm.agent_weight": 1260}  # a quarter of the agents, each standing for four times as many


def market_notebooks() -> None:
    """The CWM market scenarios (issue #16). Findings quote the full-size runs of the files as written (seed 11)
    and, where said, seeds 1-5 (`rwa-sim run scenarios/NAME.toml --seed K --out out/NAME-K`)."""
    notebook(
        "cwm_market", "The CWM southbound market today: where the money goes, and when the quota binds",
        "Mainland investors arriving through CWM banks and brokers split their wealth across today's southbound "
        "products (HK deposits, SFC-authorised funds, bonds) by a nested logit calibrated to the published mix "
        "(59 % deposits, 36 % funds, 5 % bonds, mid-2025). The tokenised products are deployed but not on the "
        "list. The aggregate quota starts at an upper estimate of its use at end-Jul 2025 (RMB 119.9 bn of 150 bn). "
        "Figures are per simulated investor (HK$); each stands for `policy.cwm.agent_weight` real ones.",
        MARKET_SMALL,
        [("report_market.product_mix(run)", "**Finding.** Without tuning per run, the holdings settle at the "
          "published mix: 60.5 % deposits, 34.6 % funds, 5.0 % bonds at full size (seeds 1-5: deposits 61-66 %, "
          "funds 29-34 %, bonds 4.9-5.4 %, within 7 points of 59/36/5). Fund values move with one price path, so "
          "the mix drifts with it between reviews."),
         ("report.quota_use(run)", "**Finding.** At the pace mainland investors joined in 2024-25 (~4.8 k a month), "
          "the RMB 30 bn the upper estimate leaves is used up in under a year: the aggregate quota first binds on "
          "day 223 (12 Mar 2026) at full size, between day 229 and 286 on seeds 1-5. From then on new investors "
          "are refused (`cwm_aggregate_quota`) and reviews cannot add money. How soon it binds rests on the "
          "starting use, which is not published as net use: sweep `policy.cwm.aggregate_used_cny` to see the "
          "date move."),
         ("report.refusals(run)", "**Finding.** About 56 % of applicants fail an eligibility leg "
          "(`cwm_investor_not_eligible`); once the aggregate binds, the refusals are the quota's.")])
    notebook(
        "cwm_tokens_admitted", "Tokenised products on the CWM southbound list",
        "The same investors, seed and shelf as `cwm_market`, with the four tokenised products listed from the "
        "start: the solar revenue right (its HKD offering), an EV-charging revenue right, a tokenised green bond "
        "(HKD 3.80 %, T+1) and a tokenised money-market fund, each its own contract suite. CWM investors pay the "
        "tokens in the CNH stablecoin. How much of the flow do tokens take from deposits and funds, and does the "
        "aggregate quota bind sooner?",
        MARKET_SMALL,
        [("report_market.product_mix(run)", "**Finding.** Tokenised products end with 38.5 % of southbound "
          "holdings (seeds 1-5: 40-42 %); the tokenised money-market fund takes 81-86 % of the token flow, as the "
          "closest substitute for a deposit; the revenue rights, volatile and illiquid in the choice model, take "
          "little."),
         ("report.quota_use(run)", "**Finding.** Against `cwm_market` (same investors and seed), 95 % of what "
          "goes into tokens comes out of the other products: 59 % from deposits, 31 % from funds, 5 % from bonds "
          "(seeds 1-5: 55-63 %, 31-34 %, 5 %); only 1-8 % is new money, because the nest of invested products "
          "(`portfolio.nest` 0.5) makes tokens substitutes for products more than for staying home. The aggregate "
          "quota binds 9 days sooner (day 214 against 223; seeds 1-5: 8-24 days sooner).")],
        [new_code_cell('print("settled in CNH (% of tokenised purchases):", result.summary["market_cnh_settled_pct"])\n'
                       'print("held by banks / brokers (HK$):", result.summary["market_held_bank_hkd"], '
                       'result.summary["market_held_broker_hkd"])'),
         new_markdown_cell("**Finding.** 99.4 % of the CWM investors' tokenised purchases settle in the CNH "
                           "stablecoin through the products' CNH DvP (seeds 1-5: 97-99 %; the rest is the solar "
                           "token's HKD offering): their RMB never becomes HKD, the seed's RMB-internationalisation "
                           "point. Banks hold about 69 % of the positions as nominees, brokers 31 % (seeds 1-5: banks "
                           "68-83 %; the 3:1 channel weights).")])
    notebook(
        "cwm_quota_binds", "The aggregate quota under pressure",
        "Today's market until the four tokenised products join the list on day 180; the aggregate quota binds; on "
        "day 540 it is doubled to RMB 300 bn (a what-if, like the 2024 rise of the individual quota).",
        MARKET_SMALL,
        [("report_market.quota_and_mix(run)", "**Finding.** The listing on day 180 moves money within the quota: "
          "investors sell deposits and funds for tokens (the closed loop sends the proceeds home and the new "
          "purchases are remitted afresh), so the quota in use hardly changes while the mix does. The quota then "
          "binds on day 214 and the market freezes: new investors are refused and nobody can add. Doubling it on "
          "day 540 releases the pent-up demand at once (the quota in use jumps by RMB 70.2 bn that day) and "
          "the market grows again to RMB 299.6 bn in use by the end, with tokens at 38 % of holdings.")])


def sweep_nb() -> None:
    cells = [
        new_markdown_cell("# Sweep analysis\n\nReads the `sweep.csv` (one summary row per run) and `timeseries.csv` "
                          "(every run's days) written by `rwa-sim sweep`, plots metric surfaces with 95 % confidence "
                          "bands for the mean across seeds (Student's t with n - 1 degrees of freedom: with 3 seeds "
                          "4.30 standard errors, not 1.96) and every run's trajectory. By default it first runs a "
                          "small sweep of `cwm_inclusion` (individual quota x product risk rating, 3 seeds)."),
        new_code_cell('SWEEP_CSV = None  # path to an existing sweep.csv; None runs a small sweep first\n'
                      'SEEDS = 3', metadata={"tags": ["parameters"]}),
        new_code_cell(SETUP.replace("from simulator.runner import run_scenario\n", "")
                      .replace("from simulator.scenario import load_scenario\n", "") + "\nimport tempfile\n"
                      "from simulator import columns\nfrom simulator.batch import Sweep"),
        new_code_cell('if SWEEP_CSV is None:\n'
                      '    out = Path(tempfile.mkdtemp()) / "sweep"\n'
                      '    SWEEP_CSV = Sweep(ROOT / "scenarios" / "cwm_inclusion.toml",\n'
                      '                      ["policy.cwm.individual_quota_cny=500000,1000000,3000000",\n'
                      '                       "policy.cwm.product_risk_rating=4,5",\n'
                      '                       "horizon_days=300", "investors.mainland_gba.count=120"],\n'
                      '                      SEEDS, out, workers=2).run()\n'
                      'sweep = columns.read(SWEEP_CSV)  # typed: integers as Int64, N/A as pd.NA\n'
                      'timeseries = columns.read(Path(SWEEP_CSV).with_name("timeseries.csv"))\n'
                      'display(sweep.groupby(["policy.cwm.individual_quota_cny", "policy.cwm.product_risk_rating"])'
                      '[["refused_cwm_individual_quota", "capital_raised_hkd"]].mean())'),
        new_code_cell('report.sweep_surface(sweep, "policy.cwm.individual_quota_cny", "refused_cwm_individual_quota",\n'
                      '                     hue="policy.cwm.product_risk_rating")'),
        new_markdown_cell("**Finding.** Individual-quota refusals fall steeply as the quota rises from RMB 0.5 m to "
                          "RMB 3 m when the rating is allowed, and are zero when it is not (nobody gets that far); "
                          "the bands show how much of the difference is seed noise."),
        new_code_cell('report.sweep_surface(sweep, "policy.cwm.individual_quota_cny", "cwm_aggregate_quota_used_cny")'),
        new_markdown_cell("**Finding.** A larger individual quota raises southbound quota in use roughly in "
                          "proportion for the investors who were bound by it."),
        new_code_cell('allowed = sweep[sweep["policy.cwm.product_risk_rating"] == 4]  # rated 5: nobody gets in\n'
                      'report.sweep_trajectories(timeseries, allowed, "cwm_aggregate_quota_used_fen",\n'
                      '                          hue="policy.cwm.individual_quota_cny", scale=100 * 1e6,\n'
                      '                          ylabel="RMB m in use")'),
        new_markdown_cell("**Finding.** Every run's path, not only its end: quota in use climbs in steps while the "
                          "offering takes mainland subscriptions, from a different day in each seed (the approval "
                          "time is drawn), then drifts with secondary trades. The seeds of one quota end far apart "
                          "(at RMB 3 m, between about RMB 17 m and 27 m in use after 300 days with the default 3 "
                          "seeds): one run says little, which is what the bands above are for."),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    _write(nb, "sweep_analysis")


# the README's sensitivity studies (issue #17): the full designs, and small ones that run in about a minute
RAISE_FACTORS = {"investors.hk_professional.count": "20:240",
                 "investors.hk_professional.wealth_median_hkd": "5000000:60000000:log",
                 "investors.hk_professional.ticket_share_of_wealth_bps": "200:1000",
                 "investors.esg_fund.count": "0:10", "offering.duration_days": "30:120"}
IRR_FACTORS = {"asset.revenue_share_bps": "6000:9000", "asset.degradation_per_year": "0.004:0.012",
               "asset.om_cost_fen_per_mwp_year": "3000000:8000000", "asset.weather_sigma": "0.1:0.35",
               "market.discount_rate_bps": "500:900", "issuer.withholding_tax_bps": "500:1000"}
CWM_FACTORS = {"policy.cwm.aggregate_used_cny": "100000000000:140000000000",
               "policy.cwm.agent_weight": "160:630", "portfolio.invested_share": "0.15:0.45",
               "portfolio.token_shift": "-2:1"}


def _study(name: str, scenario: str, factors: str, method: str, samples: str, seeds: str, fixed: str) -> str:
    return (f'factors = tuple(parse_vary(f"{{k}}={{v}}") for k, v in {factors}.items())\n'
            f'{name} = WORK / "{name}"\n'
            f'Sweep(ROOT / "scenarios" / "{scenario}.toml", [], {seeds}, {name}, workers=WORKERS,\n'
            f'      design=Design("{method}", factors, {samples}, seed=1), overrides={fixed}).run()\n')


def _batch_setup(imports: str) -> str:
    """The set-up cell of a notebook that runs batches (sweeps, calibrations) rather than one scenario."""
    return (SETUP.replace("from simulator.runner import run_scenario\n", "")
            .replace("from simulator.scenario import load_scenario\n", "")
            + "\nimport tempfile\nfrom IPython.display import Image\n" + imports)


def sensitivity_nb() -> None:
    small = 'SCALE == "small"'
    cells = [
        new_markdown_cell(
            "# Which lever matters, and when does it happen?\n\n"
            "The README's three studies end to end, with sampled designs (`rwa-sim sweep --design`), global "
            "sensitivity (`rwa-sim analyze sobol`, SALib) and scenario discovery (`rwa-sim analyze discover`, PRIM "
            "from the EMA Workbench):\n\n"
            "1. the solar baseline's demand side: what drives the capital raised, and when does the raise fail?\n"
            "2. its asset side: what drives the holders' IRR?\n"
            "3. the CWM market with the tokens admitted: when does the aggregate quota not bind within a year?\n\n"
            "`SCALE = \"small\"` runs in about a minute (Sobol' N = 8, an LHS of 40 points on a shrunk market: the "
            "indices are noisy and a box may not be found); `\"full\"` runs the README's designs (about 20 minutes "
            "on 2 workers) and reproduces its figures."),
        new_code_cell('SCALE = "small"  # "full": the README\'s designs\nWORKERS = 2',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(_batch_setup("from simulator import analysis\nfrom simulator.batch import Sweep\n"
                      "from simulator.designs import Design, parse_vary\nfrom simulator.errors import UserError\n"
                      f"RAISE_FACTORS = {RAISE_FACTORS!r}\nIRR_FACTORS = {IRR_FACTORS!r}\n"
                      f"CWM_FACTORS = {CWM_FACTORS!r}\nWORK = Path(tempfile.mkdtemp())")),
        new_code_cell(
            _study("raise_dir", "solar_gba_baseline", "RAISE_FACTORS", "sobol", f"8 if {small} else 128",
                   f"1 if {small} else 2",
                   '["horizon_days=365", "investors.hk_retail.count=0", "investors.mainland_gba.count=0"]')
            + 'analysis.sobol(raise_dir, ["capital_raised_hkd"])\n'
              'display(pd.read_csv(raise_dir / "analysis" / "sobol-capital-raised-hkd.csv").round(3))\n'
              'Image(raise_dir / "analysis" / "sobol-capital-raised-hkd.png")'),
        new_markdown_cell(
            "**Finding** (full design): the professionals' wealth drives the capital raised (first order 0.42, total "
            "0.48), then their number (total 0.25), the offering's length (0.22), their ticket share (0.17) and the "
            "ESG funds (0.16); the soft cap makes every input matter together with the others. Noise between seeds: "
            "8 % of the run-to-run variance."),
        new_code_cell('try:\n'
                      '    analysis.discover(raise_dir, "offering_outcome == \'failed\'", density=0.8,\n'
                      '                      name="raise_fails")\n'
                      '    display(pd.read_csv(raise_dir / "analysis" / "discover-raise_fails.csv"))\n'
                      'except UserError as exc:  # a small design may hold no box that dense\n'
                      '    print(exc)'),
        new_markdown_cell(
            "**Finding** (full design): the raise fails in 41 % of the sampled worlds; PRIM's box (density 0.83, "
            "coverage 0.51) is fewer than 7 ESG funds, a professional median wealth below HK$21.5 m and fewer than "
            "184 professionals: without institutional anchors the professionals alone must bring the soft cap."),
        new_code_cell(
            _study("irr", "solar_gba_baseline", "IRR_FACTORS", "sobol", f"8 if {small} else 64", f"1 if {small} else 2",
                   '["investors.hk_retail.count=0", "investors.mainland_gba.count=0"]'
                   ' + (["horizon_days=730"] if SCALE == "small" else [])')
            + 'analysis.sobol(irr, ["irr_pct_all"])\n'
              'display(pd.read_csv(irr / "analysis" / "sobol-irr-pct-all.csv").round(3))\n'
              'Image(irr / "analysis" / "sobol-irr-pct-all.png")'),
        new_markdown_cell(
            "**Finding** (full design, 5 years): the revenue share sold to holders dominates the IRR (total 0.70), "
            "then the discount rate the market values the remaining payouts at (0.16) and the O&M cost (0.14); "
            "degradation, weather volatility and the withholding rate each explain 2 % or less."),
        new_code_cell(
            _study("cwm", "cwm_tokens_admitted", "CWM_FACTORS", "lhs", f"40 if {small} else 200", "1",
                   '["horizon_days=365"] + (["investors.mainland_gba.count=300",\n'
                   '      "investors.mainland_gba.arrival_days=250"] if SCALE == "small" else [])')
            + 'try:\n'
              '    analysis.discover(cwm, "cwm_aggregate_quota_bound_day.isna()", density=0.5, name="holds")\n'
              '    display(pd.read_csv(cwm / "analysis" / "discover-holds.csv"))\n'
              'except UserError as exc:\n'
              '    print(exc)'),
        new_markdown_cell(
            "**Finding** (full design): the quota binds within the first year in 94 % of the worlds; the 6 % where "
            "it holds all lie in one box: a starting use below RMB 122 bn and fewer than ~4.0 k new mainland "
            "investors a month. The invested share and the taste for tokens do not matter for it."),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    _write(nb, "sensitivity")


# the README's calibration (issue #19): its free parameters and ranges
CALIBRATION_FITS = {"investors.mainland_gba.count": "1000:6000:int",
                    "investors.mainland_gba.arrival_profile.1.weight": "1:20:log",
                    "investors.mainland_gba.gba_hukou_share": "0.05:0.95",
                    "investors.mainland_gba.gba_social_security_years_max": "4:15:int",
                    "portfolio.invested_share": "0.1:0.6"}
CALIBRATION_SMALL = ["investors.mainland_gba.count=400", "policy.cwm.agent_weight=600",
                     "investors.hk_professional.count=4", "investors.esg_fund.count=1"]


def calibration_nb() -> None:
    small = 'SCALE == "small"'
    cells = [
        new_markdown_cell(
            "# How well does the model reproduce CWM Connect?\n\n"
            "`scenarios/cwm_launch.toml` replays the southbound scheme from its launch (19 Oct 2021) with the "
            "\"2.0\" rules of 26 Feb 2024 as a dated shock. `rwa-sim calibrate` fits the arrival and choice "
            "parameters to the published figures up to March 2024 (`scenarios/targets/cwm_connect.toml`, use = "
            "fit) with Optuna's TPE sampler, and the end-Jul 2025 figures and the mid-2025 holdings mix are held "
            "out: compared, never fitted on.\n\n"
            "`SCALE = \"small\"` fits two parameters of a shrunk market in about half a minute (the figures are not "
            "the README's); `\"full\"` runs the README's calibration (60 trials x 2 seeds, about 10 minutes on 2 "
            "workers) and reproduces its figures."),
        new_code_cell('SCALE = "small"  # "full": the README\'s calibration\nWORKERS = 2',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(_batch_setup("from simulator.calibration import Calibration\n"
                      f"FITS = {CALIBRATION_FITS!r}\nSMALL = {CALIBRATION_SMALL!r}\n"
                      "WORK = Path(tempfile.mkdtemp())")),
        new_code_cell(
            f'fits = FITS if SCALE == "full" else {{k: FITS[k] for k in ("investors.mainland_gba.count", '
            f'"portfolio.invested_share")}}\n'
            'if SCALE == "small":\n'
            '    fits["investors.mainland_gba.count"] = "150:900:int"\n'
            'calibration = Calibration(ROOT / "scenarios" / "cwm_launch.toml",\n'
            '                          ROOT / "scenarios" / "targets" / "cwm_connect.toml",\n'
            '                          [f"{k}={v}" for k, v in fits.items()], WORK / "fit",\n'
            f'                          trials=8 if {small} else 60, seeds=1 if {small} else 2, '
            'workers=WORKERS,\n'
            f'                          overrides=SMALL if {small} else [])\n'
            'result = calibration.run()\n'
            'print("best trial", result.best.number, "loss", round(result.best.loss, 4), result.best.params)\n'
            'display(pd.read_csv(WORK / "fit" / "targets.csv")[["use", "name", "data", "model", "error_pct"]]'
            '.round(3))'),
        new_code_cell('Image(WORK / "fit" / "model_vs_data.png")'),
        new_code_cell('history = pd.read_csv(WORK / "fit" / "history.csv")\n'
                      'ax = history.plot(x="trial", y=["loss", "best_so_far"], logy=True, figsize=(7, 3),\n'
                      '                  title="loss of each trial (fit targets only)")'),
        new_markdown_cell(CALIBRATION_FINDING),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    _write(nb, "calibration")


CALIBRATION_FINDING = (
    "**Finding** (full calibration, README \"How well the model reproduces CWM Connect\"): in sample the fit is "
    "close on remittances (within 2 %) and on investors before the 2.0 rules (-7.8 %), short on March 2024's rush "
    "(-24.8 %). Out of sample the holdings mix is within 1.5 percentage points, but end-July 2025 investors are "
    "+120 % and remittances +26 %: one month of the 2.0 rules cannot tell a one-off rush from a new steady rate, "
    "and the fit reads March as the new rate. The README compares two other specifications (+29 % and -63 %).")


if __name__ == "__main__":
    build()

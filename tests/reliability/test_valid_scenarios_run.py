"""Valid scenarios run: hypothesis draws scenarios inside the schema's own bounds (read from the models, so the
test follows them) and runs each through the CLI in-process. Each must validate and run to exit 0: a crash,
a traceback or a refusal of a scenario the schema accepted is a bug in the bounds or the model.

Runs stay small (a few investors, horizons of days to months) so that CI pays well under a minute. Locally,
RWA_SIM_VALID_RUNS=2000 runs more examples, RWA_SIM_VALID_HORIZON=3000 longer worlds (terms that end, buy-backs)
and RWA_SIM_VALID_COUNT=30 more investors per class.
"""

from __future__ import annotations

import io
import os
import string
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import annotated_types as at
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from simulator.cli import main
from simulator.limits import START_DATE_MAX, START_DATE_MIN
from simulator.model.classes import CLASS_NAMES
from simulator.model.config import (
    MAINLAND_ONLY,
    CwmChannelConfig,
    CwmConfig,
    InvestorClassConfig,
    IssuerConfig,
    LegalConfig,
    MarketConfig,
    OfferingConfig,
    PlatformConfig,
    PolicyConfig,
    VaEtfConfig,
)
from simulator.model.config_market import PortfolioConfig, ProductConfig
from simulator.model.config_tables import SHOCK_FIELDS, ShockConfig
from simulator.model.fx import FxParams
from simulator.model.products import CATALOGUE
from simulator.model.provinces import PROVINCES
from simulator.model.solar import SolarParams
from simulator.model.va_market import VirtualAssetParams
from simulator.scenario import ScenarioError, validate

EXAMPLES = int(os.environ.get("RWA_SIM_VALID_RUNS", "40"))
MAX_HORIZON = int(os.environ.get("RWA_SIM_VALID_HORIZON", "120"))  # days: an approval, an offering, a close, trading
MAX_COUNT = int(os.environ.get("RWA_SIM_VALID_COUNT", "4"))  # investors per class


def bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low excluded, high excluded) of a field, from its pydantic metadata."""
    low = high = None
    low_open = high_open = False
    for m in model.model_fields[name].metadata:
        if isinstance(m, at.Ge):
            low = m.ge
        elif isinstance(m, at.Gt):
            low, low_open = m.gt, True
        elif isinstance(m, at.Le):
            high = m.le
        elif isinstance(m, at.Lt):
            high, high_open = m.lt, True
    return low, high, low_open, high_open


def within(model: type[BaseModel], name: str, *, cap: float | None = None) -> st.SearchStrategy:
    """Any value of the field's type inside its bounds (and under `cap`, to keep runs quick)."""
    low, high, low_open, high_open = bounds(model, name)
    if low is None or high is None:
        raise AssertionError(f"{model.__name__}.{name} is not bounded on both sides")
    if cap is not None and cap < high:
        high, high_open = cap, False
    if model.model_fields[name].annotation in (int, int | None):
        return st.integers(int(low) + low_open, int(high) - high_open)
    return st.floats(float(low), float(high), exclude_min=low_open, exclude_max=high_open, allow_nan=False)


def table(model: type[BaseModel], caps: dict[str, float] | None = None,
          skip: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A TOML table giving some of the model's numeric and boolean fields (each present or not)."""
    caps = caps or {}
    fields = {}
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        if info.annotation is bool:
            fields[name] = st.booleans()
        elif any(isinstance(m, at.Ge | at.Gt) for m in info.metadata):
            fields[name] = within(model, name, cap=caps.get(name))
    return st.fixed_dictionaries({}, optional=fields)


EXACT_PRICES = [cents for cents in range(1, 10**5 + 1) if 10**5 % cents == 0]
names = st.text(string.ascii_lowercase + string.digits + "-_.", min_size=1, max_size=12)


@st.composite
def scenarios(draw) -> dict:
    horizon = draw(st.integers(5, MAX_HORIZON))
    data: dict = {"horizon_days": horizon, "scenario": {"name": "prop", "seed": draw(st.integers(0, 2**63 - 1))}}
    data["start_date"] = draw(st.dates(START_DATE_MIN, START_DATE_MAX))

    offering = draw(table(OfferingConfig, {"duration_days": 30}))
    # valid prices divide 10**5 cents and keep the supply cap within int64 in 10**-9 token (outputs are exact)
    price = offering["price_hkd_cents"] = draw(st.sampled_from(EXACT_PRICES))
    hard = offering["hard_cap_hkd"] = min(offering.get("hard_cap_hkd", 217_000_000), (2**63 - 1) * price // 10**11)
    offering["soft_cap_hkd"] = min(offering.get("soft_cap_hkd", 0), hard)
    tickets = offering.get("min_ticket_hkd", 100_000), offering.get("max_ticket_hkd", 20_000_000)
    offering["min_ticket_hkd"], offering["max_ticket_hkd"] = min(tickets), max(tickets)
    if draw(st.booleans()):
        price = offering.get("price_hkd_cents", 10_000)
        most = min(10**8, 10**13 * price // hard)
        offering |= {"end_of_term": "buyback", "buyback_price_hkd_cents": draw(st.integers(1, max(1, most)))}
    else:
        offering.pop("buyback_price_hkd_cents", None)
    offering["allocation"] = draw(st.sampled_from(["pro-rata", "first-come"]))
    data["offering"] = offering

    issuer = draw(table(IssuerConfig, {"approval_bound_days": 10, "approval_min_days": 10,
                                       "repatriation_delay_days": 60}))
    low, high = issuer.get("approval_min_days", 0), issuer.get("approval_bound_days", 0)
    issuer["approval_min_days"], issuer["approval_bound_days"] = min(low, high), max(low, high)
    data["issuer"] = issuer

    platform_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    data["platforms"] = [{"name": n, **draw(table(PlatformConfig, {"kyc_latency_days": 10, "listing_delay_days": 30}))}
                         for n in platform_names]
    data["cwm_channels"] = [
        {"name": f"ch{i}", "kind": draw(st.sampled_from(["bank", "broker"])),
         "platform": draw(st.sampled_from(["", *platform_names])),
         # the first channel takes clients from day 0, as the schema requires of one
         **draw(table(CwmChannelConfig, {"kyc_latency_days": 10, "admitted_day": 60},
                      ("admitted_day",) if i == 0 else ()))}
        for i in range(draw(st.integers(1, 3)))]

    investors = {}
    for cls in draw(st.lists(st.sampled_from(CLASS_NAMES), unique=True)):
        skip = () if cls == "mainland_gba" else MAINLAND_ONLY
        investors[cls] = draw(table(InvestorClassConfig, {"count": MAX_COUNT, "arrival_days": 30}, skip))
    data["investors"] = investors

    cwm = draw(table(CwmConfig))
    if cwm.get("aggregate_used_cny", 0) > cwm.get("aggregate_quota_cny", 150_000_000_000):
        cwm["aggregate_used_cny"] = cwm.get("aggregate_quota_cny", 150_000_000_000)
    data["policy"] = draw(table(PolicyConfig)) | {"cwm": cwm}
    data["market"] = draw(table(MarketConfig))
    data["legal"] = draw(table(LegalConfig))
    # the CWM market: a shelf drawn from the catalogue, each product's figures overridden or not
    products = draw(st.lists(st.sampled_from(sorted(CATALOGUE)), unique=True, max_size=len(CATALOGUE)))
    data["products"] = [{"name": n, **draw(table(ProductConfig, skip=("cwm_listed",))),
                         **({} if n == "solar_token" else draw(st.fixed_dictionaries({}, optional={
                             "cwm_listed": st.booleans()})))} for n in products]
    data["portfolio"] = draw(table(PortfolioConfig))
    if products:  # lost keys are refused with products
        data["legal"]["key_loss_per_year"] = 0.0
    data["va_etf"] = draw(table(VaEtfConfig))
    data["fx"] = draw(table(FxParams))
    regime = draw(st.sampled_from(["calm", "stressed"]))
    data["va_market"] = draw(table(VirtualAssetParams)) | {"initial_regime": regime}
    # the daily weather may not alone spread annual energy beyond interannual_cov: draw it inside that region
    asset = draw(table(SolarParams, skip=("weather_sigma", "weather_persistence", "interannual_cov")))
    asset |= {"weather_sigma": draw(st.floats(0, 0.35)), "weather_persistence": draw(st.floats(0, 0.7)),
              "interannual_cov": draw(st.floats(0.05, 0.99)), "province": draw(st.sampled_from(sorted(PROVINCES))),
              "tariff_model": draw(st.sampled_from(["benchmark", "cfd"]))}
    data["asset"] = asset

    shocks = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(sorted(SHOCK_FIELDS)))
        shock = {"day": draw(st.integers(0, horizon - 1)), "kind": kind}
        for name in SHOCK_FIELDS[kind]:
            if name == "platform":
                shock[name] = draw(st.sampled_from(platform_names))
            elif name == "enabled":
                shock[name] = draw(st.booleans())
            elif name == "product":
                shock[name] = draw(st.sampled_from(["", *products]))
            else:
                shock[name] = draw(within(ShockConfig, name, cap=60 if name == "duration_days" else None))
        shocks.append(shock)
    data["shocks"] = shocks

    if draw(st.booleans()):
        data["disposal"] = {"quantity_coins": draw(st.integers(1, 10_000)),
                            "start_day": draw(st.integers(0, horizon - 1)), "days": draw(st.integers(1, 60)),
                            "platforms": draw(st.lists(st.sampled_from(platform_names), max_size=2))}
    return data


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios())
def test_a_valid_scenario_runs_to_the_end(tmp_path_factory, data):
    try:
        validate(data, "generated")
    except ScenarioError as exc:
        raise AssertionError(f"the generator made a scenario the schema refuses: {exc.problems}") from None
    directory = tmp_path_factory.mktemp("run")
    path = directory / "s.toml"
    path.write_text(tomli_w.dumps(data))
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = main(["run", str(path), "--out", str(directory / "out"), "--quiet"])  # must not raise
    assert code == 0, err.getvalue()
    assert (Path(directory) / "out" / "summary.csv").is_file()


# ------------------------------------------------------------------ what the property test found, each fixed

def run_toml(tmp_path: Path, text: str, *overrides: str) -> tuple[int, str, Path]:
    path = tmp_path / "s.toml"
    path.write_text(text)
    out = tmp_path / "out"
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["run", str(path), "--out", str(out), "--quiet", *[a for o in overrides for a in ("--set", o)]])
    return code, err.getvalue(), out


SMALL_SHARE = """
horizon_days = 100
[scenario]
name = "cips_fee"
[asset]
capacity_mwp = 1.0
[issuer]
approval_min_days = 0
approval_bound_days = 0
[offering]
hard_cap_hkd = 100000000
soft_cap_hkd = 0
min_ticket_hkd = 15000
max_ticket_hkd = 15000
duration_days = 3
[investors.hk_professional]
count = 1
arrival_days = 1
wealth_sigma = 0.0
[investors.esg_fund]
count = 0
"""


def test_a_monthly_share_below_the_cips_fee_waits_for_later_months(tmp_path):
    # 1 bps of a 1 MWp portfolio is ~RMB 2 a month, below CIPS's RMB 50 fee: the transfer raised ValueError
    code, err, out = run_toml(tmp_path, SMALL_SHARE)
    assert code == 0, err
    events = (out / "events.csv").read_text()
    assert events.count(",repatriation_held,below_cips_fee,") == 3 and ",repatriated," not in events
    code, err, out = run_toml(tmp_path, SMALL_SHARE, "horizon_days=1000")  # enough months to cover the fee
    assert code == 0, err
    events = (out / "events.csv").read_text()
    assert ",repatriated," in events and "reconciliation_diff_minor,0" in _summary(out)


def _summary(out: Path) -> str:
    header, row = (out / "summary.csv").read_text().splitlines()[:2]
    return "\n".join(f"{k},{v}" for k, v in zip(header.split(","), row.split(","), strict=True))


SELL_EVERY_DAY = """
horizon_days = 30
[scenario]
name = "sell_every_day"
[issuer]
approval_min_days = 0
approval_bound_days = 0
[offering]
soft_cap_hkd = 0
duration_days = 3
[investors.esg_fund]
count = 2
arrival_days = 1
hold_days_mean = 1
expected_yield_bps = 1060
[investors.hk_professional]
count = 0
"""


def test_a_one_day_holding_period_sells_with_probability_at_most_one(tmp_path):
    # hold_days_mean 1 with a yield shortfall made the daily sell chance 1.68: "exceeds its thinning bound"
    code, err, _ = run_toml(tmp_path, SELL_EVERY_DAY)
    assert code == 0, err


def test_the_thinnest_stressed_book_the_schema_allows_still_prices_a_sale(tmp_path):
    # a stressed depth factor of 1e-219 overflowed the impact arithmetic (and 1e-313 made it NaN): the schema now
    # stops at 0.01; at that bound, the largest sale into the thinnest book is priced, not crashed
    code, err, out = run_toml(tmp_path, SELL_EVERY_DAY, "va_market.stressed_depth_factor=0.01",
                              'va_market.initial_regime="stressed"', "va_market.p_stressed_to_calm=0.0",
                              "va_market.initial_price_usd_cents=10000000000", "disposal.quantity_coins=21000000",
                              "disposal.start_day=0", "disposal.days=1",
                              'platforms=[{name="thin", va_depth_usd_at_1pct=1, va_daily_volume_cap_coins=21000000}]')
    assert code == 0, err
    assert ",va_sale," in (out / "events.csv").read_text() and "disposal_mean_impact_bps,10000" in _summary(out)

"""Where the panels stand: one sourced table of what a province sets for a solar portfolio.

A province fixes three things the asset model needs: the specific yield (kWh per kWp a year), how the year's
energy splits over the months, and the coal benchmark price the output is paid at (or that caps a pre-June-2025
project's mechanism price under Notice 136). `SolarParams.province` picks a row; a field the scenario gives
explicitly wins over the row (resolved once, in `SolarParams.site()`).

Units: 1 kcal/cm2 = 41.868 MJ/m2 = 11.63 kWh/m2; RMB 1/kWh = 100,000 fen/MWh.

How a yield is derived from irradiation: FACTS "Solar fundamentals" gives Guangzhou 1,213-1,277 kWh/m2 a year
of global horizontal irradiation (GHI) and 1,000-1,070 kWh/kWp at performance ratio 0.80 (M, derived): their
midpoints make 1,035 / 1,245 = 0.831 kWh/kWp per kWh/m2 (PR 0.80 times a ~4% gain of the tilted plane over
the horizontal). The same ratio turns the other provinces' irradiation into a yield, so the three rows differ
only by their sunshine, not by a different derivation.

Coal benchmark prices ("燃煤发电基准价"): the NDRC's 2019 reform (发改价格规[2019]1658号, 21 Oct 2019, in force
1 Jan 2020) replaced the coal benchmark tariff with "benchmark + up to 10% up / 15% down" and set each
province's benchmark at its then-current desulphurised-coal benchmark tariff. The provincial figures below are
those tariffs. The notice's own annex could not be retrieved here; the figures are a public per-province table
of the benchmark (a GitHub data script, 2025: Hubei 0.4161, Hunan 0.4500, Guangdong 0.4530; its Hebei 0.3644
matches Hebei's own Notice-136 plan as quoted elsewhere), with Guangdong's 0.453 also in FACTS "Solar
fundamentals" (L-M): confidence M. Hunan's coal power being among the dearest fits the NEA's 2018 price report
(average coal on-grid price Hunan RMB 459/MWh, the highest in China; S&P Global, 6 Nov 2019).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

ProvinceName = Literal["guangdong", "hubei", "hunan"]


@dataclass(frozen=True)
class Province:
    """What a province sets: specific yield, monthly shape (Jan..Dec, summing to 1) and coal benchmark price."""

    name: ProvinceName
    specific_yield_kwh_per_kwp: float
    monthly_share: tuple[float, ...]
    benchmark_price_fen_per_mwh: int

    def __post_init__(self) -> None:
        # the shares split the annual yield: anything but twelve positive shares summing to one would rescale it
        if len(self.monthly_share) != 12 or min(self.monthly_share) <= 0:
            raise ValueError(f"{self.name}: monthly_share needs 12 positive shares")
        if not math.isclose(sum(self.monthly_share), 1.0, abs_tol=1e-9):
            raise ValueError(f"{self.name}: monthly_share must sum to 1")


# Guangdong (Guangzhou / Pearl River delta).
# Yield: FACTS "Solar fundamentals" 1,000-1,070 kWh/kWp at PR 0.80 (M, derived); the midpoint.
# Shape: FACTS anchors Feb lowest ~5.3%, Jul highest ~11.4% (M), matching Zhongshan's climate record (Zhongshan
# municipal climate page: 105.3 kcal/cm2 a year = 1,225 kWh/m2, Jul 12.0 and Feb 5.6 kcal/cm2). The months between
# are an assumption, not a source: foggy spring ("回南天"), June dimmed by the dragon-boat rains, sunny dry autumn.
GUANGDONG = Province(
    name="guangdong",
    specific_yield_kwh_per_kwp=1_035.0,
    monthly_share=(0.060, 0.053, 0.062, 0.070, 0.086, 0.092, 0.114, 0.109, 0.100, 0.094, 0.084, 0.076),
    benchmark_price_fen_per_mwh=45_300,  # RMB 0.4530/kWh (1658号 benchmark; FACTS L-M)
)

# Hubei (Jianghan plain: Wuhan, Xiaogan, Jingzhou ...).
# Yield: Hubei receives 85-114 kcal/cm2 a year (989-1,326 kWh/m2) with 1,200-2,200 sunshine hours (china.org.cn
# "Hubei" province profile, 2004); the middle Yangtze is class IV of China's five-class solar zoning (1980s), 4,190-
# 5,020 MJ/m2 (1,164-1,394 kWh/m2) and 1,400-2,200 h (as summarised by solar-home.net, 2018). The ranges are
# sourced (M); the point, ~1,200 kWh/m2 (low in their overlap, as the province's rooftops spread beyond sunny
# Wuhan's 2,000 h: Wuhan East Lake zone climate page) x 0.831 ~ 1,000 kWh/kWp, is a sensitivity parameter.
# Shape: an assumption in the middle-Yangtze pattern that Hunan's source fixes (Apr-Oct ~71% of the year here):
# cloudy, wet winter and spring, the plum rains ("梅雨", early summer) holding June back, a Jul-Aug peak under
# the subtropical high. Sensitivity.
HUBEI = Province(
    name="hubei",
    specific_yield_kwh_per_kwp=1_000.0,
    monthly_share=(0.052, 0.055, 0.070, 0.085, 0.100, 0.100, 0.125, 0.123, 0.095, 0.080, 0.062, 0.053),
    benchmark_price_fen_per_mwh=41_610,  # RMB 0.4161/kWh (1658号 benchmark; public provincial table, M)
)

# Hunan (Changsha-Zhuzhou-Xiangtan, Dongting lake plain ...).
# Yield: Hunan has 1,300-1,800 sunshine hours a year (Hunan provincial profile, rednet.com.cn via China Daily,
# 2004): below Hubei's and below the 1,400-2,200 h of class IV, so its irradiation sits at or under the class-IV
# floor of 1,164 kWh/m2 (zoning as above). ~1,120 kWh/m2 x 0.831 ~ 930 kWh/kWp: the ranking is sourced (M), the
# point a sensitivity parameter.
# Shape: April-October brings 70-76% of Hunan's annual radiation (same Hunan profile, 2004): 73% here, the middle.
# Jan-Feb lowest (the wettest, greyest winter of the three), Jul-Aug highest, a dry, sunny autumn.
HUNAN = Province(
    name="hunan",
    specific_yield_kwh_per_kwp=930.0,
    monthly_share=(0.045, 0.048, 0.062, 0.080, 0.095, 0.100, 0.135, 0.130, 0.105, 0.085, 0.065, 0.050),
    benchmark_price_fen_per_mwh=45_000,  # RMB 0.4500/kWh (1658号 benchmark; public provincial table, M)
)

PROVINCES: dict[ProvinceName, Province] = {p.name: p for p in (GUANGDONG, HUBEI, HUNAN)}

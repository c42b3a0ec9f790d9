"""The investor classes: one table of what each class is, read by the model, the config and the plots.

A class's facts (where its money sits, which rail carries it, how it is registered on-chain, how it reacts
to fear) are data here, so the model asks `inv.kind.southbound` instead of comparing class names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simulator.identity import (
    CN,
    CWM_SOUTHBOUND,
    DIRECT,
    GB,
    HK,
    INSTITUTIONAL,
    NOMINEE,
    PROFESSIONAL,
    RETAIL,
    SG,
    US,
)

FUND_COUNTRIES = (SG, GB, US)  # where the international ESG funds sit


@dataclass(frozen=True, slots=True)
class InvestorClass:
    name: str
    label: str  # for plots and reports
    home_account: str  # ledger prefix of the account its money sits in before anything happens
    home_currency: str  # the currency of that account
    rail: str  # how its money reaches a HK account: CIPS (CWM southbound), FPS (local), SWIFT (abroad)
    country: int  # ISO-3166 numeric, as registered on-chain
    channel: int  # IdentityRegistry channel: direct, CWM southbound, nominee
    institutional: bool  # an institution: professional whatever its size, registered INSTITUTIONAL
    southbound: bool  # a mainland resident: reaches HK products only through CWM Connect southbound
    fear_multiplier: float  # how much more readily it sells on a ban rumour (sensitivity)

    def category(self, professional: bool) -> int:
        """IdentityRegistry investor category."""
        if self.institutional:
            return INSTITUTIONAL
        return PROFESSIONAL if professional else RETAIL


INVESTOR_CLASSES: dict[str, InvestorClass] = {c.name: c for c in (
    # mainland holders sell twice as readily on mainland-policy news (sensitivity)
    InvestorClass("mainland_gba", "mainland GBA (CWM)", "mainland", "CNY", "CIPS", CN, CWM_SOUTHBOUND,
                  institutional=False, southbound=True, fear_multiplier=2.0),
    InvestorClass("hk_retail", "HK retail", "bank", "HKD", "FPS", HK, DIRECT,
                  institutional=False, southbound=False, fear_multiplier=1.0),
    InvestorClass("hk_professional", "HK professional", "bank", "HKD", "FPS", HK, DIRECT,
                  institutional=False, southbound=False, fear_multiplier=1.0),
    InvestorClass("esg_fund", "international ESG funds", "fund", "USD", "SWIFT", SG, NOMINEE,
                  institutional=True, southbound=False, fear_multiplier=1.0),
)}
CLASS_NAMES: tuple[str, ...] = tuple(INVESTOR_CLASSES)

# the scenario schema's type of a class name (an enum in the JSON Schema), built from the table
if TYPE_CHECKING:
    ClassName = str
else:
    ClassName = Literal[CLASS_NAMES]

"""An investor: the state one agent carries through the world (its decisions live in the actor modules)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.model.classes import InvestorClass
from simulator.model.policy import MainlandProfile
from simulator.model.rng import Streams


@dataclass(eq=False, slots=True)
class Investor:
    index: int  # position in the world's population: the key of every per-investor record
    kind: InvestorClass
    class_index: int  # position within its class: the key of its random streams
    wallet: str  # the on-chain address it holds and signs with now (a recovery replaces it)
    streams: Streams = field(repr=False)  # the run's streams: its own (`rng`) is taken at its first draw
    professional: bool
    wealth_cents: int  # investable wealth in HKD cents (mainland: its HKD value at arrival)
    via_cwm: bool  # a mainland resident who goes through CWM (the others try a direct purchase)
    profile: MainlandProfile | None = None  # what the CWM eligibility test looks at (mainland only)
    bad_actor: bool = False  # an applicant AML should stop
    onboarded: bool = False
    tokens: int = 0  # the model's own record of the holding (mirrors the chain)
    selling: bool = False  # has a resting sell order
    bidding: bool = False  # has a resting buy order
    invested_cents: int = 0
    committed_cents: int = 0  # HK-account cash earmarked for trades awaiting settlement
    cost_basis_cents: int = 0  # what the tokens now held cost
    capital_cent_days: int = 0  # cost basis integrated over time held (for time-weighted yields)
    basis_since_s: int = 0
    # policy verdicts in force at each purchase (allocation or secondary buy): all must be True
    purchase_checks: list[bool] = field(default_factory=list)
    received_cents: int = 0  # distributions claimed
    frozen: bool = False  # its wallet was frozen by the agent (AML monitoring)
    key_lost: bool = False  # it lost its wallet's key and cannot sign until recovered
    channels: tuple[str, ...] = ()  # its CWM bank and/or broker (mainland investors)
    platform: str = ""  # the licensed platform that onboarded it (its KYC claim's issuer)
    claims_until: int = 0  # chain time its identity's claims expire (simulator.model.claims)
    claims_lapsed: bool = False  # a review was not completed: the claims expired
    claims_revoked: bool = False  # its platform revoked its KYC claim
    key: str = ""  # its identity off-chain (bank and mainland accounts, CWM quota): its first wallet
    _rng: np.random.Generator | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.wallet

    @property
    def rng(self) -> np.random.Generator:
        """This investor's own stream, for its decisions. Taken at the first draw: most mainland arrivals are
        refused at eligibility and never draw, and at the scale of the market a stream costs about 1 KB."""
        if self._rng is None:
            self._rng = self.streams.own(f"behaviour:{self.kind.name}:{self.class_index}")
        return self._rng

    @property
    def cls(self) -> str:
        """The class name (`mainland_gba`, ...)."""
        return self.kind.name

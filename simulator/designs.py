"""Sampled experimental designs for sweeps: Latin hypercube, Sobol (Saltelli) and Morris, over ranges.

    rwa-sim sweep SCENARIO --design sobol --vary offering.soft_cap_hkd=50000000:200000000 \\
        --vary market.discount_rate_bps=400:1000:int --vary investors.hk_professional.wealth_sigma=0.5:1.5 \\
        --samples 64 --seeds 2 --out out/sobol

A factor is `key=lo:hi` (uniform), `key=lo:hi:log` (uniform in log, for quantities spanning orders of magnitude)
or `key=lo:hi:int` (uniform over the integers lo..hi, for integer fields). The designs are drawn in the unit cube
by the field's libraries (scipy.stats.qmc.LatinHypercube; SALib's Saltelli/Sobol' and Morris samplers), from the
design's own seed, then mapped to each factor's range; the point numbers of the sweep are the rows of the design
in order, which is what `rwa-sim analyze` (simulator/analysis.py) needs to rebuild the estimators. Sobol' designs
have N * (D + 2) points (first and total order; `--second-order`: N * (2D + 2)) with N a power of 2; Morris
designs have N trajectories of D + 1 points on a `--levels` grid.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from simulator.errors import InputError

Scale = Literal["linear", "log", "int"]
Method = Literal["lhs", "sobol", "morris"]
METHODS: tuple[str, ...] = ("lhs", "sobol", "morris")


@dataclass(frozen=True)
class Factor:
    key: str
    low: float
    high: float
    scale: Scale = "linear"
    integer: bool = False  # the field is an int: values are rounded (a log range over an integer amount)

    def value(self, u: float) -> float | int:
        """The factor's value at `u` in [0, 1] (its quantile in the design)."""
        if self.scale == "int":
            lo, hi = int(self.low), int(self.high)
            return min(hi, lo + math.floor(u * (hi - lo + 1)))
        if self.scale == "log":
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return min(int(self.high), max(int(self.low), round(x))) if self.integer else float(x)


def parse_vary(spec: str) -> Factor:
    """`dotted.key=lo:hi[:log|:int]` -> a Factor; every mistake named."""
    key, sep, rest = spec.partition("=")
    key = key.strip()
    parts = rest.split(":")
    if not sep or not key or len(parts) not in (2, 3):
        raise InputError(f"--vary {spec!r}: expected dotted.key=lo:hi, lo:hi:log or lo:hi:int")
    scale = parts[2].strip() if len(parts) == 3 else "linear"
    if scale not in ("linear", "log", "int"):
        raise InputError(f"--vary {spec!r}: the scale must be log or int, not {scale!r}")
    from simulator.scenario import parse_value

    bounds: list[float] = []
    for text in parts[:2]:
        value = parse_value(text.strip())
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"--vary {spec!r}: lo and hi must be finite numbers")
        bounds.append(float(value))
    low, high = bounds
    if not low < high:
        raise InputError(f"--vary {spec!r}: lo must be below hi")
    if scale == "log" and low <= 0:
        raise InputError(f"--vary {spec!r}: a log range must be positive")
    from simulator.scenario import field_is_integer

    integer = field_is_integer(key)
    if (scale == "int" or integer) and not (low.is_integer() and high.is_integer()):
        raise InputError(f"--vary {spec!r}: {key} takes whole numbers: give whole-number bounds")
    return Factor(key, low, high, scale, integer)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Design:
    method: Method
    factors: tuple[Factor, ...]
    samples: int  # LHS: points; Sobol': N (a power of 2); Morris: trajectories
    seed: int
    levels: int = 4  # Morris grid levels
    second_order: bool = False  # Sobol' second-order indices (more points)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"--design must be one of {', '.join(METHODS)}, not {self.method!r}")
        if not self.factors:
            raise InputError(f"--design {self.method} needs at least one --vary factor")
        keys = [f.key for f in self.factors]
        if len(set(keys)) != len(keys):
            raise InputError("--vary: the same key is given twice")
        if self.samples < 1:
            raise InputError("--samples must be at least 1")
        if self.method == "sobol" and (self.samples & (self.samples - 1)):
            raise InputError(f"--samples {self.samples}: a Sobol' design needs a power of 2 (its sequence's balance)")
        if self.method == "morris" and not 2 <= self.levels <= 100:
            raise InputError("--levels must be between 2 and 100")

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.factors]

    def problem(self) -> dict:
        """The SALib problem: the factors in the unit cube the design is drawn in."""
        return {"num_vars": len(self.factors), "names": self.keys, "bounds": [[0.0, 1.0]] * len(self.factors)}

    def size(self) -> int:
        d = len(self.factors)
        if self.method == "sobol":
            return self.samples * (2 * d + 2 if self.second_order else d + 2)
        if self.method == "morris":
            return self.samples * (d + 1)
        return self.samples

    def unit(self) -> np.ndarray:
        """The design's rows in [0, 1]^D, in order (the sweep's points)."""
        d = len(self.factors)
        if self.method == "lhs":
            from scipy.stats import qmc

            return np.asarray(qmc.LatinHypercube(d=d, seed=np.random.default_rng(self.seed)).random(self.samples))
        if self.method == "sobol":
            from SALib.sample import sobol

            return np.asarray(sobol.sample(self.problem(), self.samples, calc_second_order=self.second_order,
                                           scramble=True, seed=self.seed))
        from SALib.sample import morris

        return np.asarray(morris.sample(self.problem(), self.samples, num_levels=self.levels, seed=self.seed))

    def points(self) -> list[tuple[tuple[str, float | int], ...]]:
        """Each row as the overrides of a sweep point: (key, value) in factor order."""
        return [tuple((f.key, f.value(float(u))) for f, u in zip(self.factors, row, strict=True))
                for row in self.unit()]

    def to_json(self) -> dict:
        return {**asdict(self), "factors": [asdict(f) for f in self.factors]}

    @classmethod
    def from_json(cls, data: dict) -> Design:
        return cls(**{**data, "factors": tuple(Factor(**f) for f in data["factors"])})

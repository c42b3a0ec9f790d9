"""Published figures a scenario is held to: what each measures in a run's timeseries, and how far a run is off.

A targets file (TOML) lists `[[targets]]`, each a figure with its source:

    [[targets]]
    name = "mainland investors, end-Jan 2024"
    measure = "cwm_investors"        # a timeseries column
    date = 2024-01-31                # the value at the end of this day
    value = 25000
    use = "fit"                      # fitted on, or "holdout": only compared
    source = "PBoC Guangdong branch, 26 Feb 2024 (FACTS)"

`since = DATE` makes it the change over (since, date] (new investors in a month); `share_of = [columns]` makes it
the measure's share of their sum (a holdings mix). The error is relative, (model - data) / data, on the mean of
the seeds' runs; the loss is the weighted mean of the squared errors of the fit targets.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.columns import timeseries_schema
from simulator.errors import InputError
from simulator.limits import FieldProblem
from simulator.scenario import ScenarioError, validation_problems

MAX_TARGETS = 1_000


class Target(BaseModel):
    """One published figure and where a run's timeseries says the same thing."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=200, description="what the figure is, as a reader would say it")
    measure: str = Field(description="the timeseries column it is read from")
    date: dt.date = Field(description="the figure's date: the value at the end of this day")
    value: float = Field(description="the published figure, in the measure's units (a share: 0-1)")
    use: Literal["fit", "holdout"] = Field("fit", description="fitted on, or held out and only compared")
    weight: float = Field(1.0, gt=0, le=1_000, description="its weight in the loss (fit targets)")
    since: dt.date | None = Field(None, description="the change since the end of this day (a flow over a period)")
    share_of: list[str] = Field(default_factory=list, max_length=50, description=(
        "the measure as a share of the sum of these columns (a mix); the measure is one of them"))
    source: str = Field(min_length=1, max_length=500, description="where the figure was published")

    @model_validator(mode="after")
    def _readable(self) -> Target:
        columns = timeseries_schema()
        problems = []
        for i, name in enumerate([self.measure, *self.share_of]):
            where: tuple[str | int, ...] = ("measure",) if i == 0 else ("share_of", i - 1)
            if name not in columns:
                problems.append((where, f"{name!r} is not a timeseries column"))
            elif columns[name].rstrip("?") not in ("int", "float"):
                problems.append((where, f"{name!r} is not a numeric timeseries column"))
        if self.value == 0 or not math.isfinite(self.value):
            problems.append((("value",), "a target's value must be a nonzero number (its error is relative)"))
        if self.since is not None and self.since >= self.date:
            problems.append((("since",), f"since ({self.since}) must come before date ({self.date})"))
        if self.share_of and self.measure not in self.share_of:
            problems.append((("share_of",), f"a share's columns must include its measure, {self.measure!r}"))
        if self.share_of and self.since is not None:
            problems.append((("since",), "a share is read at its date: remove since"))
        if problems:
            raise FieldProblem(*problems)
        return self


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    targets: list[Target] = Field(min_length=1, max_length=MAX_TARGETS)

    @model_validator(mode="after")
    def _unique(self) -> Targets:
        names = [t.name for t in self.targets]
        problems = [(("targets", i, "name"), f"target name {n!r} is used twice") for i, n in enumerate(names)
                    if n in names[:i]]
        if problems:
            raise FieldProblem(*problems)
        return self

    def of(self, use: str) -> list[Target]:
        return [t for t in self.targets if t.use == use]


def load_targets(path: Path) -> Targets:
    """The targets in `path`, every problem named by field; a ScenarioError otherwise."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: targets file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the targets file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    try:
        targets = Targets.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, str(path))) from None
    return targets


def check_dates(targets: Targets, start: dt.date, horizon_days: int, source: str) -> None:
    """Every target's dates fall within what a run of `horizon_days` from `start` records: the timeseries has
    the state at 00:00 of days 0 to horizon_days - 1, so the end of a day is recorded up to the day before the
    last row's."""
    last = start + dt.timedelta(days=horizon_days - 2)
    problems = []
    for i, t in enumerate(targets.targets):
        for name, day in (("date", t.date), ("since", t.since)):
            if day is None:
                continue
            if day < start - dt.timedelta(days=1) or day > last:
                problems.append(f"{source}: targets.{i}.{name}: {day} is outside the run (the end of "
                                f"{start - dt.timedelta(days=1)} to the end of {last}): move it or change the "
                                "scenario's start_date / horizon_days")
    if problems:
        raise ScenarioError(problems)


def row_value(row: dict, measure: str, share_of: list[str] | tuple[str, ...] = ()) -> float:
    """`measure` in one timeseries row, or its share of the `share_of` columns' sum (NaN when they sum to 0)."""
    if share_of:
        total = sum(float(row[c]) for c in share_of)
        return float(row[measure]) / total if total else math.nan
    return float(row[measure])


def measured(target: Target, rows: dict[str, dict]) -> float:
    """The target's measure in one run's timeseries (rows by ISO date)."""

    def at_end_of(day: dt.date) -> dict:
        return rows[(day + dt.timedelta(days=1)).isoformat()]

    row = at_end_of(target.date)
    if target.share_of:
        share = row_value(row, target.measure, target.share_of)
        return 0.0 if math.isnan(share) else share
    value = float(row[target.measure])
    if target.since is not None:
        value -= float(at_end_of(target.since)[target.measure])
    return value


def relative_error(model: float, target: Target) -> float:
    return (model - target.value) / target.value


def loss(errors: list[tuple[Target, float]]) -> float:
    """Weighted mean of squared relative errors."""
    weights = sum(t.weight for t, _ in errors)
    return sum(t.weight * e * e for t, e in errors) / weights

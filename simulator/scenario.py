"""Scenario files: TOML validated by a pydantic schema, with `--set dotted.key=value` overrides.

A scenario file is a `WorldConfig` plus a `[scenario]` table (name, description, seed):

    horizon_days = 1825
    [scenario]
    name = "solar_gba_baseline"
    description = "..."
    seed = 1
    [policy.cwm]
    individual_quota_cny = 3000000

Every problem is reported as one line naming the dotted field path; the CLI exits 2.
"""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from simulator.errors import InputError
from simulator.model.config import WorldConfig, _Strict


class ScenarioMeta(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = Field(0, ge=0)


class Scenario(WorldConfig):
    """A scenario file: the world's parameters and what the scenario is."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="gba-rwa-sim scenario")
    scenario: ScenarioMeta

    def world(self) -> WorldConfig:
        return WorldConfig.model_validate(self.model_dump(exclude={"scenario"}))


class ScenarioError(InputError):
    """One or more problems in a scenario file or its overrides (exit code 2)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _format_loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def validation_problems(exc: ValidationError, source: str) -> list[str]:
    problems = []
    for err in exc.errors():
        where = _format_loc(err["loc"])
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "missing":
            message = "required field missing"
        else:
            message = err["msg"]
            if "input" in err and err["type"] not in ("model_type", "dict_type"):
                message += f" (got {err['input']!r})"
        problems.append(f"{source}: {where}: {message}")
    return problems


def parse_value(text: str) -> object:
    """A --set/--grid value: a TOML literal (1000000, true, 0.5, "x", [1, 2]) or else a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_override(assignment: str) -> tuple[str, object]:
    key, sep, value = assignment.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError([f"--set {assignment!r}: expected dotted.key=value"])
    return key, parse_value(value.strip())


def _locate(node: object, part: str, key: str, path: list[str]) -> str | int:
    """The table key or list index that `part` names in `node`, or a ScenarioError naming the problem."""
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ScenarioError([f"--set {key}: {'.'.join(path)} has {len(node)} item(s); {part!r} is not one of "
                                 f"their indexes (0-{len(node) - 1})"])
        return int(part)
    if not isinstance(node, dict):
        raise ScenarioError([f"--set {key}: {path[-1]} is not a table"])
    return part


def apply_overrides(data: dict, overrides: list[tuple[str, object]]) -> dict:
    """Set each dotted key in a copy of `data`; a number indexes a list of tables (`platforms.0.name`).
    Unknown keys are left for the schema to name."""
    data = copy.deepcopy(data)
    for key, value in overrides:
        parts = key.split(".")
        node = data
        for depth, part in enumerate(parts[:-1]):
            at = _locate(node, part, key, parts[:depth])
            if isinstance(node, dict) and node.get(at) is None:
                node[at] = {}
            node = node[at]
        node[_locate(node, parts[-1], key, parts[:-1])] = value
    return data


def read_toml(path: Path) -> dict:
    if not path.is_file():
        raise ScenarioError([f"{path}: scenario file not found"])
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}: not valid TOML: {exc}"]) from None


def load_scenario(path: Path, overrides: list[str] | None = None) -> Scenario:
    data = read_toml(Path(path))
    parsed = [parse_override(o) for o in overrides or []]
    return validate(apply_overrides(data, parsed), str(path))


def validate(data: dict, source: str = "scenario") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, source)) from None


def json_schema() -> str:
    return json.dumps(Scenario.model_json_schema(), indent=2, sort_keys=True)


def scenario_dir() -> Path:
    """scenarios/ of the source checkout (the package's sibling), else ./scenarios."""
    here = Path(__file__).resolve().parents[1] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def list_scenarios(directory: Path | None = None) -> list[tuple[str, str, Path]]:
    rows = []
    for path in sorted((directory or scenario_dir()).glob("*.toml")):
        try:
            meta = read_toml(path).get("scenario", {})
        except ScenarioError:
            meta = {}
        rows.append((meta.get("name", path.stem), meta.get("description", "(no description)"), path))
    return rows

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
import datetime as dt
import json
import tomllib
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from simulator.errors import InputError
from simulator.limits import MAX_NAME_LENGTH, MAX_SEED, FieldProblem
from simulator.model.config import WorldConfig, _Strict

GOT_MAX_CHARS = 60  # a refused value is quoted up to this long; tables and arrays never are


class ScenarioMeta(_Strict):
    """What the scenario is: its name (the default output directory), a description, the run's seed."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9_.-]+$", description=(
        "the scenario's name: letters, digits, `_`, `.`, `-`; names the default output directory out/<name>"))
    description: str = Field("", max_length=2_000, description="what the scenario asks, for `rwa-sim list`")
    seed: int = Field(0, ge=0, le=MAX_SEED, description=(
        "the run's seed (--seed overrides it); every random stream derives from it"))


class Scenario(WorldConfig):
    """A scenario file: the world's parameters and what the scenario is."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False,
                              title="gba-rwa-sim scenario")
    scenario: ScenarioMeta = Field(description="the [scenario] table: name, description, seed")

    def world(self) -> WorldConfig:
        return WorldConfig.model_validate(self.model_dump(exclude={"scenario"}))


class ScenarioError(InputError):
    """One or more problems in a scenario file or its overrides (exit code 2)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _format_loc(loc: tuple) -> str:
    """`policy.cwm.individual_quota_cny`; a key that is not plain printable text is quoted, so a line stays one."""
    return ".".join(str(p) if str(p).isprintable() and str(p).strip() == str(p) else repr(p) for p in loc) \
        or "(top level)"


def _quoted(value: object) -> str | None:
    """A refused value as the message quotes it: scalars only, cut to GOT_MAX_CHARS; never a table or array
    (a problem with a whole table would otherwise print the scenario)."""
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
    else:
        return None
    return text if len(text) <= GOT_MAX_CHARS else text[:GOT_MAX_CHARS - 3] + "..."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def validation_problems(exc: ValidationError, source: str) -> list[str]:
    """One line per problem: `source: dotted.path: message`. A model validator's FieldProblem names its own
    fields; pydantic's "Value error, " prefix is dropped."""
    problems: list[str] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            problems.extend(f"{source}: {_format_loc(loc + where)}: {_one_line(message)}"
                            for where, message in cause.problems)
            continue
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "missing":
            message = "required field missing"
        else:
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "literal_error":  # the choices without pydantic's quotes: one line stays short
                message = "Input should be " + err.get("ctx", {}).get("expected", "").replace("'", "")
            if err["type"] == "date_type":
                message += " (a TOML date, unquoted: 2026-01-01)"
            elif err["type"] == "bool_type" and isinstance(err.get("input"), str):
                message += " (a TOML boolean: true or false, unquoted)"
            got = _quoted(err.get("input")) if "input" in err and err["type"] != "value_error" else None
            if got is not None:
                message += f" (got {got})"
        problems.append(f"{source}: {_format_loc(loc)}: {_one_line(message)}")
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
    """The TOML table in `path` (UTF-8, a byte-order mark allowed), or a ScenarioError of one line."""
    if path.is_dir():
        raise ScenarioError([f"{path}: is a directory, not a scenario file"])
    if not path.exists():
        raise ScenarioError([f"{path}: scenario file not found"])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read the scenario file: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save the "
                             "scenario as UTF-8"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: not valid TOML: {_one_line(str(exc))}"]) from None


def load_scenario(path: Path, overrides: list[str] | None = None) -> Scenario:
    data = read_toml(Path(path))
    parsed = [parse_override(o) for o in overrides or []]
    return validate(apply_overrides(data, parsed), str(path))


def validate(data: dict, source: str = "scenario") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, source)) from None


_BOUND_WORDS = (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<"),
                ("minLength", "length >="), ("maxLength", "length <="), ("minItems", "items >="),
                ("maxItems", "items <="))


def _bounds_text(prop: dict) -> str:
    """The bounds a property's schema states (its own, an optional value's, an array's items'), as words."""
    parts = []
    for schema, what in [(prop, ""), *[(s, "") for s in prop.get("anyOf", [])], (prop.get("items", {}), "each ")]:
        for key, word in _BOUND_WORDS:
            if isinstance(schema, dict) and key in schema:
                value = schema[key]
                parts.append(f"{what}{word} {value:,}" if isinstance(value, int) else f"{what}{word} {value}")
    return ", ".join(parts)


def _describe_bounds(schema: dict) -> dict:
    """Every property's description with its bounds appended (`Bounds: >= 0, <= 250,000.`)."""
    for model in [schema, *schema.get("$defs", {}).values()]:
        for prop in model.get("properties", {}).values():
            bounds = _bounds_text(prop)
            if bounds:
                prop["description"] = f"{prop.get('description', '').rstrip('.')}. Bounds: {bounds}."
    return schema


def json_schema() -> str:
    return json.dumps(_describe_bounds(Scenario.model_json_schema()), indent=2, sort_keys=True)


def field_is_integer(dotted: str) -> bool:
    """Whether the scenario field at `dotted` (`investors.hk_professional.count`, `platforms.0.fee_bps`) holds an
    integer (a design then rounds its values); False for anything that is not an int field."""
    import typing

    from pydantic import BaseModel

    annotation: object = Scenario
    for part in dotted.split("."):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return False
            annotation = field.annotation
        else:
            args = typing.get_args(annotation)
            origin = typing.get_origin(annotation)
            if origin is dict and len(args) == 2:
                annotation = args[1]
            elif origin is list and args:
                annotation = args[0]
            else:
                return False
    options = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    return options == [int]


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

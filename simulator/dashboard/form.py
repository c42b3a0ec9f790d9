"""The scenario form: the scenario's JSON schema walked into sections and fields, values read and written at a
field's path, and validation problems placed beside the field they name.

Nothing here draws: `simulator.dashboard.widgets` renders these specs. A field's path is the tuple the
scenario's data is indexed by (`("policy", "cwm", "individual_quota_cny")`, `("platforms", 0, "name")`), and
its dotted form is the one validation messages and `--set` use.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One editable value: its kind (integer, number, boolean, string, date, choice, list: a TOML array
    literal), what the schema says of it (description with bounds and unit, default, choices), nullable when an
    empty entry means "not set"."""

    path: Path
    kind: str
    description: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    nullable: bool = False

    @property
    def dotted(self) -> str:
        return dotted(self.path)

    @property
    def label(self) -> str:
        return str(self.path[-1])


@dataclass
class Section:
    """A table of the scenario (`policy.cwm`), an item of a list (`platforms.0`) or a class of the investors
    map (`investors.mainland_gba`): its fields and subsections in schema order."""

    path: Path
    title: str
    description: str = ""
    fields: list[FieldSpec] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    # a list of tables or the investors map: items can be added (a new list item, or one of `addable` keys)
    addable: tuple[str, ...] = ()
    collection: bool = False
    removable: bool = False


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


@cache
def schema() -> dict:
    from simulator.scenario import json_schema

    return json.loads(json_schema())


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = {**schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _leaf(path: Path, node: dict) -> FieldSpec | None:
    """The field for a scalar (or nullable scalar, or array of scalars) node; None for a table or a list of
    tables."""
    nullable = False
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        node = {**options[0], "description": node.get("description", ""), "default": node.get("default")}
    kind = node.get("type")
    if "enum" in node:
        return FieldSpec(path, "choice", node.get("description", ""), node.get("default"), tuple(node["enum"]))
    if kind == "string" and node.get("format") == "date":
        kind = "date"
    if kind == "array" and _resolve(node.get("items", {})).get("type") != "object":
        kind = "list"
    if kind in {"integer", "number", "boolean", "string", "date", "list"}:
        return FieldSpec(path, kind, node.get("description", ""), node.get("default"), nullable=nullable)
    return None


def build(data: dict) -> Section:
    """The form for `data` (a scenario's tables as read from TOML): every field of the schema, and one
    section per list item or investor class that `data` has."""
    return _section((), "scenario", schema(), data)


def _section(path: Path, title: str, node: dict, data: Any) -> Section:
    node = _resolve(node)
    section = Section(path, title, node.get("description", ""))
    for name, child in node.get("properties", {}).items():
        child_path = (*path, name)
        value = data.get(name) if isinstance(data, dict) else None
        leaf = _leaf(child_path, child)
        if leaf is not None:
            section.fields.append(leaf)
            continue
        resolved = _resolve(child)
        if resolved.get("type") == "array":
            items = value if isinstance(value, list) else []
            group = Section(child_path, name, child.get("description", ""), collection=True, addable=("item",))
            group.sections = [_section((*child_path, i), f"{name} {i}", resolved["items"], item)
                              for i, item in enumerate(items)]
            for sub in group.sections:
                sub.removable = True
            section.sections.append(group)
        elif "additionalProperties" in resolved and "properties" not in resolved:
            present = value if isinstance(value, dict) else {}
            keys = tuple(resolved.get("propertyNames", {}).get("enum", ()))
            group = Section(child_path, name, child.get("description", ""), collection=True,
                            addable=tuple(k for k in keys if k not in present))
            group.sections = [_section((*child_path, key), key, resolved["additionalProperties"], present[key])
                              for key in (k for k in keys if k in present)]
            for sub in group.sections:
                sub.removable = True
            section.sections.append(group)
        else:
            section.sections.append(_section(child_path, name, child, value if isinstance(value, dict) else {}))
    return section


def get(data: dict, path: Path) -> Any:
    """The value at `path`, or None where it (or a table above it) is not set."""
    node: Any = data
    for part in path:
        present = part in node if isinstance(node, dict) else (
            isinstance(node, list) and isinstance(part, int) and part < len(node))
        if not present:
            return None
        node = node[part]
    return node


def put(data: dict, path: Path, value: Any) -> dict:
    """A copy of `data` with `value` at `path` (tables created on the way); None removes the key, so the
    schema's default applies."""
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = path[-1]
    if isinstance(node, list):
        if value is None:
            node.pop(int(last))
        else:
            node[int(last)] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return out


def add_item(data: dict, path: Path, key: str = "") -> dict:
    """A copy of `data` with a new, empty item in the list at `path` (or the class `key` in a map): the form then
    shows which of its fields are required."""
    current = get(data, path)
    if key:
        return put(data, (*path, key), {**(current or {}).get(key, {})})
    return put(data, path, [*(current or []), {}])


def remove_item(data: dict, path: Path) -> dict:
    """A copy of `data` without the list item or map entry at `path`."""
    out = put(data, path, None)
    parent = get(out, path[:-1])
    if isinstance(parent, list | dict) and not parent:
        out = put(out, path[:-1], None)
    return out


def parse(spec: FieldSpec, text: str) -> Any:
    """What the text typed into a field means, as a TOML value; ValueError names what was expected. An empty
    entry is None (the default applies) unless the field is text."""
    text = text.strip()
    if not text and spec.kind != "string":
        return None
    if spec.kind == "integer":
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError("expected a whole number, e.g. 3000000") from None
    if spec.kind == "number":
        try:
            return float(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError("expected a number, e.g. 0.05") from None
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("expected a date, YYYY-MM-DD") from None
    if spec.kind == "list":
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            raise ValueError('expected a list, e.g. ["alpha", "beta"] or [0.1, 0.2]') from None
        if not isinstance(value, list):
            raise ValueError('expected a list in brackets, e.g. ["alpha"]')
        return value
    return text


def show(spec: FieldSpec, value: Any) -> str:
    """The text a field shows for `value` (its default's when unset)."""
    value = spec.default if value is None else value
    if value is None:
        return ""
    if spec.kind == "list":  # numbers and strings: a JSON array is a TOML array, and stays on one line
        return json.dumps(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def problems(data: dict) -> dict[str, str]:
    """Each problem of `data` as a scenario, by the dotted path of the field it names (several for one field
    are joined); {} when it is valid."""
    from simulator.scenario import Scenario, validation_problems

    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        found: dict[str, str] = {}
        for line in validation_problems(exc, "scenario"):
            where, _, message = line.removeprefix("scenario: ").partition(": ")
            found[where] = f"{found[where]}; {message}" if where in found else message
        return found
    return {}

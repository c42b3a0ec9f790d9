"""The code's own rules, checked on every run: ruff and mypy clean, small modules, pure model modules that
import no actor, and invariants that survive `python -O` (exceptions, never `assert`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"
MAX_MODULE_LINES = 400
# the model's pure modules: one concept each, stepped or called by the actors, importing none of them
PURE = {"classes", "config", "config_tables", "decisions", "errors", "fx", "investor", "ledger", "order_book", "policy",
        "rails", "valuation", "provinces", "rng", "solar", "va_market", "weather", "portfolio", "products",
        "config_market"}
ACTORS = {"world", "investors", "funding", "offering", "revenue", "market", "settlement", "etf", "disposal", "legal",
          "channels", "kyc", "claims", "cwm_market", "product_desks",
          "shocks", "metrics", "platform", "holdings"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "artifacts" not in p.parts)


def test_ruff_finds_nothing():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "simulator", "tests", "benchmarks", "scripts",
                          "notebooks/build_notebooks.py"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_finds_nothing():
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def _imported_model_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("simulator.model."):
            names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[2] for a in node.names if a.name.startswith("simulator.model.")}
    return names


def test_every_model_module_is_classified():
    found = {p.stem for p in (PACKAGE / "model").glob("*.py")} - {"__init__"}
    assert found == PURE | ACTORS


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_model_module_imports_no_actor(name):
    assert not _imported_model_modules(PACKAGE / "model" / f"{name}.py") & ACTORS


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_assert_in_the_package(path):
    """`python -O` strips asserts: an invariant must raise an exception of its own."""
    asserts = [n.lineno for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Assert)]
    assert not asserts, f"assert at lines {asserts}"

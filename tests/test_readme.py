"""The README's Python example runs and prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_example_prints_what_the_readme_shows():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The world model"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"prints \(a test runs this block and checks these lines\):\n\n```\n(.*?)```", section, re.S)
    assert code and shown
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    assert out.getvalue() == shown.group(1)


def test_scenario_list_names_every_scenario_file():
    text = README.read_text(encoding="utf-8")
    listed = re.search(r"`rwa-sim list` shows these scenarios: (.*?)\.\n", text, re.S)
    assert listed
    names = set(re.findall(r"`([a-z0-9_]+)`", listed.group(1)))
    files = {p.stem for p in (README.parent / "scenarios").glob("*.toml")}
    assert names == files

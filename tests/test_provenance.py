"""Fingerprints change with everything that determines a run, and with nothing else."""

from __future__ import annotations

from simulator.provenance import environment, fingerprint, tree_sha256


def test_the_code_hash_follows_every_source_and_artifact_edit(tmp_path):
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "art.json").write_text("{}")
    first = tree_sha256(tmp_path / "pkg")
    (tmp_path / "pkg" / "__pycache__" / "a.pyc").write_bytes(b"\x00")  # bytecode caches do not count
    (tmp_path / "pkg" / "notes.txt").write_text("not code")
    assert tree_sha256(tmp_path / "pkg") == first
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n")
    assert tree_sha256(tmp_path / "pkg") != first
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "art.json").write_text('{"bytecode": "0x"}')
    assert tree_sha256(tmp_path / "pkg") != first


def test_a_run_fingerprint_depends_on_each_part():
    base = {"scenario": {"horizon_days": 10}, "seed": 1, "backend": "revm", "environment": environment()}
    same = fingerprint(**base)
    assert fingerprint(**dict(base)) == same
    for part, other in (("scenario", {"horizon_days": 11}), ("seed", 2), ("backend", "pyevm"),
                        ("environment", {**environment(), "pyrevm": "0.0.0"})):
        assert fingerprint(**{**base, part: other}) != same

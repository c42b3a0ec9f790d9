"""Build and check the contract artifacts with the pinned solc-js (npm `solc`) toolchain.

The build resolves every import itself (project sources and OpenZeppelin from contracts/node_modules),
inlines them in one standard-JSON input, and runs `node contracts/compile.js`. No native solc binary
and no network access are needed. One JSON artifact per project contract is written into the package
(simulator/chain/artifacts) so that a wheel install runs without Node; a Hardhat-style build-info file
is written to contracts/artifacts/build-info for slither.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from simulator.chain import onchainid
from simulator.chain.artifacts import ARTIFACT_DIR, INDEX_FILE
from simulator.errors import UserError

# Fixed compiler settings: every backend runs Cancun (pyrevm is told spec_id="CANCUN", anvil --hardfork cancun).
COMPILER_SETTINGS: dict = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "metadata": {"bytecodeHash": "ipfs"},
}
_OUTPUT_SELECTION = {
    "*": {
        "*": [
            "abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers", "devdoc", "userdoc",
            # for slither (build-info only; the artifacts keep the fields above)
            "evm.bytecode.sourceMap", "evm.deployedBytecode.sourceMap", "evm.bytecode.linkReferences",
            "evm.deployedBytecode.linkReferences",
        ],
        "": ["ast"],
    }
}
_IMPORT_RE = re.compile(r"""^\s*import\s+(?:[^;]*?\s+from\s+)?["']([^"']+)["']\s*;""", re.MULTILINE)
_CONTRACT_RE = re.compile(r"^\s*(?:abstract\s+)?(contract|interface|library)\s+([A-Za-z_]\w*)", re.MULTILINE)


def find_project_root() -> Path:
    """The source checkout that holds contracts/package.json (next to the package, else the cwd)."""
    here = Path(__file__).resolve().parents[2]
    for candidate in (here, Path.cwd()):
        if (candidate / "contracts" / "package.json").is_file():
            return candidate
    raise UserError(
        "contracts/package.json not found: `rwa-sim contracts build|check` must run from a source checkout"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SourceSet:
    """Every source unit of one compilation, keyed by its solc unit name."""

    contents: dict[str, str]
    # unit name -> set of unit names it depends on (itself included)
    closure: dict[str, frozenset[str]]
    project_units: tuple[str, ...]


class Toolchain:
    def __init__(self, root: Path | None = None, artifact_dir: Path = ARTIFACT_DIR) -> None:
        self.root = root or find_project_root()
        self.artifact_dir = artifact_dir
        self.index_file = artifact_dir / INDEX_FILE.name
        self.contracts_dir = self.root / "contracts"
        self.src_dir = self.contracts_dir / "src"
        self.node_modules = self.contracts_dir / "node_modules"

    # ---- sources -------------------------------------------------------------------------
    def project_units(self) -> list[str]:
        return sorted(p.relative_to(self.contracts_dir).as_posix() for p in self.src_dir.rglob("*.sol"))

    def _unit_path(self, unit: str) -> Path:
        if unit.startswith("src/"):
            return self.contracts_dir / unit
        return self.node_modules / unit

    def _read_unit(self, unit: str) -> str:
        path = self._unit_path(unit)
        if not path.is_file():
            hint = " (run `npm ci` in contracts/)" if not unit.startswith("src/") else ""
            raise UserError(f"Solidity source not found: {unit} -> {path}{hint}")
        return path.read_bytes().decode("utf-8")  # bytes as-is: hashes must match the file

    @staticmethod
    def _resolve(importer: str, target: str) -> str:
        if target.startswith(("./", "../")):
            return posixpath.normpath(posixpath.join(posixpath.dirname(importer), target))
        return target

    def collect_sources(self) -> SourceSet:
        project = self.project_units()
        if not project:
            raise UserError(f"no Solidity sources under {self.src_dir}")
        contents: dict[str, str] = {}
        edges: dict[str, set[str]] = {}
        pending = list(project)
        while pending:
            unit = pending.pop()
            if unit in contents:
                continue
            text = self._read_unit(unit)
            contents[unit] = text
            deps = {self._resolve(unit, m) for m in _IMPORT_RE.findall(text)}
            edges[unit] = deps
            pending.extend(d for d in deps if d not in contents)
        closure: dict[str, frozenset[str]] = {}
        for unit in contents:
            seen, stack = set(), [unit]
            while stack:
                u = stack.pop()
                if u not in seen:
                    seen.add(u)
                    stack.extend(edges[u])
            closure[unit] = frozenset(seen)
        return SourceSet(contents, closure, tuple(project))

    def pinned_solc_version(self) -> str:
        lock = self.contracts_dir / "package-lock.json"
        data = json.loads(lock.read_text())
        return data["packages"]["node_modules/solc"]["version"]

    # ---- build ---------------------------------------------------------------------------
    def compile(self, sources: SourceSet) -> tuple[str, dict, dict]:
        """Run solc-js; return (long version, standard-JSON input, output)."""
        node = shutil.which("node")
        if node is None:
            raise UserError("node not found on PATH: building contracts needs Node.js (npm `solc` is solc-js)")
        if not (self.node_modules / "solc").is_dir():
            raise UserError("contracts/node_modules/solc missing: run `npm ci` in contracts/")
        std_input = {
            "language": "Solidity",
            "sources": {u: {"content": c} for u, c in sorted(sources.contents.items())},
            "settings": {**COMPILER_SETTINGS, "outputSelection": _OUTPUT_SELECTION},
        }
        proc = subprocess.run(
            [node, str(self.contracts_dir / "compile.js")],
            input=json.dumps(std_input).encode(),
            capture_output=True,
            cwd=self.contracts_dir,
            check=False,  # its exit code and stderr are turned into a clear error below
        )
        if proc.returncode != 0:
            raise UserError(f"solc-js failed: {proc.stderr.decode(errors='replace').strip()[:2000]}")
        result = json.loads(proc.stdout)
        output = result["output"]
        errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
        if errors:
            messages = (e.get("formattedMessage", e["message"]) for e in errors)
            raise UserError("compilation failed:\n" + "\n".join(messages))
        return result["version"], std_input, output

    def build(self) -> list[Path]:
        sources = self.collect_sources()
        long_version, std_input, output = self.compile(sources)
        version = long_version.split("+")[0]
        compiler = {"name": "solc-js", "version": version, "longVersion": long_version}
        written: list[Path] = []
        index_contracts: dict[str, str] = {}
        self.artifact_dir.mkdir(parents=True, exist_ok=True)
        for old in self.artifact_dir.glob("*.json"):
            old.unlink()
        for unit in sources.project_units:
            for name, c in sorted(output["contracts"].get(unit, {}).items()):
                if name in index_contracts:
                    raise UserError(f"contract name {name} defined twice ({index_contracts[name]} and {unit})")
                index_contracts[name] = unit
                deps = sorted(sources.closure[unit])
                artifact = {
                    "contractName": name,
                    "sourceName": unit,
                    "abi": c["abi"],
                    "bytecode": "0x" + c["evm"]["bytecode"]["object"],
                    "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"],
                    "methodIdentifiers": c["evm"]["methodIdentifiers"],
                    "devdoc": c.get("devdoc", {}),
                    "userdoc": c.get("userdoc", {}),
                    "compiler": compiler,
                    "settings": COMPILER_SETTINGS,
                    "sources": {d: sha256_hex(sources.contents[d].encode()) for d in deps},
                }
                path = self.artifact_dir / f"{name}.json"
                path.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
                written.append(path)
        index = {
            "compiler": compiler,
            "settings": COMPILER_SETTINGS,
            "sources": {u: sha256_hex(sources.contents[u].encode()) for u in sources.project_units},
            "contracts": dict(sorted(index_contracts.items())),
        }
        self.index_file.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
        self._write_build_info(long_version, std_input, output)
        return written + onchainid.vendor(self.contracts_dir, self.artifact_dir / "onchainid")

    def _write_build_info(self, long_version: str, std_input: dict, output: dict) -> None:
        """Hardhat-format build info so `slither contracts --hardhat-ignore-compile` works offline."""
        body = json.dumps(std_input, sort_keys=True).encode()
        build_id = hashlib.md5(body).hexdigest()
        info_dir = self.contracts_dir / "artifacts" / "build-info"
        shutil.rmtree(info_dir, ignore_errors=True)
        info_dir.mkdir(parents=True)
        info = {
            "_format": "hh-sol-build-info-1",
            "id": build_id,
            "solcVersion": long_version.split("+")[0],
            "solcLongVersion": long_version.removesuffix(".Emscripten.clang"),
            "input": std_input,
            "output": output,
        }
        (info_dir / f"{build_id}.json").write_text(json.dumps(info))

    # ---- check ---------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems that make the committed artifacts differ from what a build would write now."""
        problems: list[str] = []
        if not self.index_file.is_file():
            return [f"missing: artifact index {self.index_file} (run `rwa-sim contracts build`)"]
        index = json.loads(self.index_file.read_text())
        pinned = self.pinned_solc_version()
        if index["compiler"]["version"] != pinned:
            problems.append(f"stale: all artifacts built with solc {index['compiler']['version']}, pinned is {pinned}")
        if index["settings"] != COMPILER_SETTINGS:
            problems.append("stale: all artifacts built with other compiler settings")
        current = self.project_units()
        for unit in current:
            if unit not in index["sources"]:
                problems.append(f"missing: no artifact for {unit} (new source never built)")
        for unit in index["sources"]:
            if unit not in current:
                problems.append(f"stale: artifacts for {unit}, which no longer exists")
        defined = {}
        for unit in current:
            for _kind, name in _CONTRACT_RE.findall(self._read_unit(unit)):
                defined[name] = unit
        for name, unit in sorted(defined.items()):
            if name not in index["contracts"]:
                problems.append(f"missing: artifact for {name} ({unit})")
        for name, unit in sorted(index["contracts"].items()):
            path = self.artifact_dir / f"{name}.json"
            if not path.is_file():
                problems.append(f"missing: artifact file {path.name} for {name} ({unit})")
                continue
            artifact = json.loads(path.read_text())
            changed = []
            for dep, digest in sorted(artifact["sources"].items()):
                dep_path = self._unit_path(dep)
                if not dep_path.is_file():
                    changed.append(f"{dep} (not found)")
                elif sha256_hex(dep_path.read_bytes()) != digest:
                    changed.append(dep)
            if changed:
                problems.append(f"stale: {name} ({unit}): changed since build: {', '.join(changed)}")
        return problems + onchainid.check(self.contracts_dir, self.artifact_dir / "onchainid")

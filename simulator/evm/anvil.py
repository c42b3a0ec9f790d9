"""Start and stop a local anvil node whose genesis matches the in-process backends (same chain id, genesis
time, zero fees, block gas limit), so one workload gives the same results on it as on them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from simulator.evm.backends.base import BLOCK_GAS_LIMIT, CHAIN_ID, GENESIS_TIMESTAMP
from simulator.evm.errors import UserError


def find_anvil(candidates: Iterable[Path] = (), hint: str = "install foundry or npm @foundry-rs/anvil") -> str:
    """The first of `candidates` that exists (a project's pinned binary), else anvil on PATH."""
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("anvil")
    if found is None:
        raise UserError(f"anvil not found: {hint}")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AnvilNode:
    """A zero-fee Cancun anvil on 127.0.0.1 whose genesis matches the in-process backends."""

    def __init__(self, port: int | None = None, executable: str | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.executable = executable
        self.process: subprocess.Popen | None = None

    def locate(self) -> str:
        """The anvil binary to run: `executable` if given, else anvil on PATH (a subclass may look elsewhere)."""
        return self.executable or find_anvil()

    def start(self, timeout: float = 20.0) -> AnvilNode:
        cmd = [
            self.locate(), "--host", "127.0.0.1", "--port", str(self.port), "--silent",
            "--hardfork", "cancun", "--chain-id", str(CHAIN_ID), "--timestamp", str(GENESIS_TIMESTAMP),
            "--base-fee", "0", "--gas-price", "0", "--gas-limit", str(BLOCK_GAS_LIMIT),
        ]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        start_new_session=True, env={**os.environ, "NO_COLOR": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise UserError(f"anvil exited with code {self.process.returncode}: {err.strip()[:500]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise UserError(f"anvil did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

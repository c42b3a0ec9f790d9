"""The harness's Chain bound to this project: its artifacts and its account keys by default."""

from __future__ import annotations

import os

from simulator.chain.artifacts import ARTIFACTS
from simulator.evm import chain as harness
from simulator.evm.artifacts import ArtifactStore
from simulator.evm.backends import DEFAULT_BACKEND
from simulator.evm.backends.base import GENESIS_TIMESTAMP, Backend

# Mixed into every account key: changing it changes every address, hence every output.
ACCOUNT_DOMAIN = b"gba-rwa-sim/account/v1"


class Chain(harness.Chain):
    """`simulator.evm.Chain` with the suite's artifacts and this project's account keys unless told otherwise."""

    def __init__(self, backend: str | Backend = DEFAULT_BACKEND, *, rpc_url: str | None = None, seed: int = 0,
                 clock: harness.Clock | None = None,
                 artifacts: ArtifactStore | str | os.PathLike[str] = ARTIFACTS) -> None:
        super().__init__(backend, artifacts=artifacts, rpc_url=rpc_url, seed=seed, clock=clock,
                         account_domain=ACCOUNT_DOMAIN)


__all__ = ["ACCOUNT_DOMAIN", "GENESIS_TIMESTAMP", "Chain"]

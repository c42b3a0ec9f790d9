"""The `revm` backend: pyrevm (Rust revm) in-process, the fast default for simulations."""

from __future__ import annotations

import re
from typing import cast

from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env, JournalCheckpoint

from simulator.evm.abi import checksum as to_checksum_address
from simulator.evm.backends.base import BLOCK_GAS_LIMIT, CHAIN_ID, TX_GAS_LIMIT, Backend, RawLog, TxResult
from simulator.evm.backends.revm_compaction import Compactor

# pyrevm reports reverts and halts as RuntimeError("Revert { gas_used: N, output: 0x.. }") or
# RuntimeError("Halt { reason: R, gas_used: N }").
_REVERT_RE = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
_HALT_RE = re.compile(r"Halt \{ reason: (\w+), gas_used: (\d+) \}")
# Journal frames allowed before a compaction (simulator/evm/backends/revm_compaction.py). A compaction costs the
# journal since the last one plus the redeployed contracts' storage (rendered and parsed each time), so the
# budget is the larger of a floor and half a frame per such slot: each compaction pays for work in proportion to
# its cost. The rendering is held twice at its peak (revm's string and Python's copy), so the factor trades
# memory for time: at 165 k investors 1.0 peaked at 2.3 GB and 0.5 at 2.0 GB, for about a third more compaction
# time (benchmarks W4). A compliant transfer makes about 36 frames; a frame is about 250 bytes of rendered text,
# and each identity it touched renders its code and loaded slots (about 7 KB).
# Where frames are light (a workload of transfers among a few hundred holders renders about 200 bytes a frame,
# a market of thousands of identities 1-1.5 KB), the budget also allows a rendering of RENDER_BUDGET_BYTES,
# judged by the last one: fewer compactions pay their fixed part (the redeployed contracts' storage, the revert)
# less often, and memory stays bounded by the rendering, not by a frame count set for heavy frames.
JOURNAL_BUDGET = 100_000
FRAMES_PER_HOT_SLOT = 0.5
RENDER_BUDGET_BYTES = 64 * 2**20
CHECK_EVERY = 64  # transactions between reads of the journal length
_Token = tuple[JournalCheckpoint, dict[str, int]]  # a snapshot: the journal checkpoint and the nonces then


class RevmBackend(Backend):
    name = "revm"

    def __init__(self) -> None:
        super().__init__()
        self.evm = self._fresh_evm()
        # revm's message_call does not bump the caller's nonce; a chain does. Deploy addresses derive
        # from nonces, so we keep the chain's count and write it back before each CREATE.
        self._nonces: dict[str, int] = {}
        self._since_compaction = 0
        self.compactions = 0
        self._budget = JOURNAL_BUDGET  # raised with the state at each compaction
        self.compactor = Compactor(deploy_gas=TX_GAS_LIMIT)
        self._creators: dict[str, tuple[str, int]] = {}  # contract (lower case) -> (deployer, its nonce then)

    @staticmethod
    def _block_env(number: int, timestamp: int) -> BlockEnv:
        return BlockEnv(number=number, timestamp=timestamp, basefee=0, gas_limit=BLOCK_GAS_LIMIT)

    def _mine_empty_block(self, timestamp: int) -> None:
        self.evm.set_block_env(self._block_env(self.block_number + 1, timestamp))

    def compact(self) -> None:
        """Drop the journal and logs pyrevm never releases, keeping the state (revm_compaction.py). Only done
        with no snapshot alive: the first compaction starts a fresh EVM, later ones revert to a checkpoint."""
        self.evm = self.compactor.compact(self.evm, self._fresh_evm, self._creators)
        self._creators.clear()  # what the rebuild needed (one ONCHAINID proxy an investor would keep it growing)
        self._budget = max(JOURNAL_BUDGET, int(FRAMES_PER_HOT_SLOT * self.compactor.hot_slots),
                           int(RENDER_BUDGET_BYTES / self.compactor.bytes_per_frame))
        self._since_compaction = 0
        self.compactions += 1

    def _fresh_evm(self) -> EVM:
        return EVM(env=Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=self._block_env(self.block_number, self.timestamp)),
                   spec_id="CANCUN", gas_limit=BLOCK_GAS_LIMIT)

    def _maybe_compact(self) -> None:
        # reading the journal length costs microseconds: not after every transaction
        if self._since_compaction < CHECK_EVERY:
            return
        self._since_compaction = 0
        if self.compactor.frames_since_base(self.evm) >= self._budget and not self._live_snapshots:
            self.compact()

    def _enter_block(self) -> tuple[int, int]:
        number, timestamp = self._next_block()
        self.evm.set_block_env(self._block_env(number, timestamp))
        return number, timestamp

    def _outcome(self) -> tuple[int, list[RawLog]]:
        """Gas used and logs of the execution that just succeeded (read once: each read copies it out of Rust)."""
        result = self.evm.result
        if result is None:
            raise RuntimeError("pyrevm kept no result of a successful execution")
        logs = []
        for log in result.logs:
            topics, data = log.data
            logs.append(RawLog(to_checksum_address(log.address), tuple(topics), data))
        return result.gas_used, logs

    @staticmethod
    def _failure(exc: RuntimeError) -> tuple[int, bytes, str]:
        text = str(exc)
        m = _REVERT_RE.search(text)
        if m:
            return int(m.group(1)), bytes.fromhex(m.group(2)), "revert"
        m = _HALT_RE.search(text)
        if m:
            return int(m.group(2)), b"", f"halt:{m.group(1)}"
        raise exc

    def _bump_nonce(self, sender: str) -> None:
        self._nonces[sender] = self._nonces.get(sender, 0) + 1

    def deploy(self, sender: str, initcode: bytes) -> TxResult:
        number, timestamp = self._enter_block()
        nonce = self._nonces.get(sender, 0)
        if self.evm.basic(sender).nonce != nonce:
            self.evm.insert_account_info(sender, AccountInfo(nonce=nonce))
        self._bump_nonce(sender)
        try:
            address = self.evm.deploy(sender, initcode, gas=TX_GAS_LIMIT)
            if self.compactor.base is None:  # only the first compaction redeploys: later contracts stay raw
                self._creators[address.lower()] = (sender, nonce)
        except RuntimeError as exc:
            gas, output, _ = self._failure(exc)
            return self._account(TxResult(False, output, gas, [], number, timestamp))
        gas_used, logs = self._outcome()
        return self._account(
            TxResult(True, b"", gas_used, logs, number, timestamp, contract_address=to_checksum_address(address))
        )

    def transact(self, sender: str, to: str, data: bytes, value: int = 0, want_output: bool = False) -> TxResult:
        self._maybe_compact()
        number, timestamp = self._enter_block()
        self._bump_nonce(sender)
        try:
            output = self.evm.message_call(sender, to, data, value=value or None, gas=TX_GAS_LIMIT)
        except RuntimeError as exc:
            gas, output, _ = self._failure(exc)
            self._since_compaction += 1
            return self._account(TxResult(False, output, gas, [], number, timestamp))
        gas_used, logs = self._outcome()
        self._since_compaction += 1
        return self._account(TxResult(True, bytes(output), gas_used, logs, number, timestamp))

    def call(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        try:
            return True, bytes(self.evm.message_call(sender, to, data, gas=TX_GAS_LIMIT, is_static=True))
        except RuntimeError as exc:
            _, output, _ = self._failure(exc)
            return False, output

    def _snapshot(self) -> _Token:
        return self.evm.snapshot(), dict(self._nonces)

    def _revert(self, token: object) -> None:
        checkpoint, nonces = cast(_Token, token)  # what _snapshot returned
        self.evm.revert(checkpoint)
        self._nonces = nonces
        self.evm.set_block_env(self._block_env(self.block_number, self.timestamp))

    def get_balance(self, address: str) -> int:
        return self.evm.get_balance(address)

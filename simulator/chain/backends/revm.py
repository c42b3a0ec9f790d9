"""The `revm` backend: pyrevm (Rust revm) in-process, the fast default for simulations."""

from __future__ import annotations

import re

from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from simulator.chain.abi import checksum as to_checksum_address
from simulator.chain.backends.base import BLOCK_GAS_LIMIT, CHAIN_ID, TX_GAS_LIMIT, Backend, RawLog, TxResult

# pyrevm reports reverts and halts as RuntimeError("Revert { gas_used: N, output: 0x.. }") or
# RuntimeError("Halt { reason: R, gas_used: N }").
_REVERT_RE = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
_HALT_RE = re.compile(r"Halt \{ reason: (\w+), gas_used: (\d+) \}")


class RevmBackend(Backend):
    name = "revm"

    def __init__(self) -> None:
        super().__init__()
        env = Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=self._block_env(0, self.timestamp))
        self.evm = EVM(env=env, spec_id="CANCUN", gas_limit=BLOCK_GAS_LIMIT)
        # revm's message_call does not bump the caller's nonce; a chain does. Deploy addresses derive
        # from nonces, so we keep the chain's count and write it back before each CREATE.
        self._nonces: dict[str, int] = {}

    @staticmethod
    def _block_env(number: int, timestamp: int) -> BlockEnv:
        return BlockEnv(number=number, timestamp=timestamp, basefee=0, gas_limit=BLOCK_GAS_LIMIT)

    def _mine_empty_block(self, timestamp: int) -> None:
        self.evm.set_block_env(self._block_env(self.block_number + 1, timestamp))

    def _enter_block(self) -> tuple[int, int]:
        number, timestamp = self._next_block()
        self.evm.set_block_env(self._block_env(number, timestamp))
        return number, timestamp

    def _logs(self) -> list[RawLog]:
        result = self.evm.result
        if result is None:
            return []
        logs = []
        for log in result.logs:
            topics, data = log.data
            logs.append(RawLog(to_checksum_address(log.address), tuple(topics), data))
        return logs

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
        except RuntimeError as exc:
            gas, output, _ = self._failure(exc)
            return self._account(TxResult(False, output, gas, [], number, timestamp))
        result = self.evm.result
        return self._account(
            TxResult(True, b"", result.gas_used, self._logs(), number, timestamp,
                     contract_address=to_checksum_address(address))
        )

    def transact(self, sender: str, to: str, data: bytes, value: int = 0, want_output: bool = False) -> TxResult:
        number, timestamp = self._enter_block()
        self._bump_nonce(sender)
        try:
            output = self.evm.message_call(sender, to, data, value=value or None, gas=TX_GAS_LIMIT)
        except RuntimeError as exc:
            gas, output, _ = self._failure(exc)
            return self._account(TxResult(False, output, gas, [], number, timestamp))
        return self._account(TxResult(True, bytes(output), self.evm.result.gas_used, self._logs(), number, timestamp))

    def call(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        try:
            return True, bytes(self.evm.message_call(sender, to, data, gas=TX_GAS_LIMIT, is_static=True))
        except RuntimeError as exc:
            _, output, _ = self._failure(exc)
            return False, output

    def _snapshot(self) -> object:
        return self.evm.snapshot(), dict(self._nonces)

    def _revert(self, token: object) -> None:
        checkpoint, nonces = token
        self.evm.revert(checkpoint)
        self._nonces = nonces
        self.evm.set_block_env(self._block_env(self.block_number, self.timestamp))

    def get_balance(self, address: str) -> int:
        return self.evm.get_balance(address)

"""The `revm` backend: pyrevm (Rust revm) in-process, the fast default for simulations."""

from __future__ import annotations

import re
from typing import cast

from eth_utils import keccak
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env, JournalCheckpoint

from simulator.evm.abi import checksum as to_checksum_address
from simulator.evm.backends.base import BLOCK_GAS_LIMIT, CHAIN_ID, TX_GAS_LIMIT, Backend, RawLog, TxResult

# pyrevm reports reverts and halts as RuntimeError("Revert { gas_used: N, output: 0x.. }") or
# RuntimeError("Halt { reason: R, gas_used: N }").
_REVERT_RE = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
_HALT_RE = re.compile(r"Halt \{ reason: (\w+), gas_used: (\d+) \}")
# The journaled state's Debug rendering (EVM.journal_str): accounts with their code and storage.
_ACCOUNT_RE = re.compile(r"(0x[0-9a-f]{40}): Account \{ info: AccountInfo \{ balance: (\d+), nonce: (\d+), "
                         r"code_hash: 0x[0-9a-f]{64}, code: (?:Some\(Bytecode \{ bytecode: 0x([0-9a-f]*), "
                         r"state: (?:Raw|\w+ \{ len: (\d+))|None)")
_SLOT_RE = re.compile(r"(\d+): StorageSlot \{ previous_or_original_value: \d+, present_value: (\d+) \}")
# Journal frames allowed before a compaction. pyrevm keeps every state change of the session in one journal
# it never releases; compaction bounds that memory. A compaction costs the journal since the last one plus the
# whole state (redeployed contracts hold their storage in the journal, so it is rendered and parsed each time),
# so the budget is the larger of a floor and one frame per stored slot: each compaction then pays for work in
# proportion to its cost, and the journal stays within a fixed multiple of the state it serves. A frame is
# about 260 bytes of rendered text; a compliant transfer makes about 36.
JOURNAL_BUDGET = 100_000
FRAMES_PER_STORED_SLOT = 1.0
CHECK_EVERY = 64  # transactions between reads of the journal length
# One account as copied at a compaction: (balance, nonce, code hex, storage slot -> nonzero value).
_CopiedAccount = tuple[int, int, str, dict[int, int]]
_Token = tuple[JournalCheckpoint, dict[str, int]]  # a snapshot: the journal checkpoint and the nonces then


def _copying_constructor(runtime: bytes) -> bytes:
    """Init code that returns `runtime` as the deployed code: CODECOPY(0, 14, n); RETURN(0, n)."""
    n = len(runtime)
    if n > 0xFFFF:
        raise ValueError("runtime code longer than PUSH2 can address")
    head = bytes([0x61]) + n.to_bytes(2, "big") + bytes([0x80, 0x60, 0x0E, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3])
    return head.ljust(14, b"\x00") + runtime


class RevmBackend(Backend):
    name = "revm"

    def __init__(self) -> None:
        super().__init__()
        env = Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=self._block_env(0, self.timestamp))
        self.evm = EVM(env=env, spec_id="CANCUN", gas_limit=BLOCK_GAS_LIMIT)
        # revm's message_call does not bump the caller's nonce; a chain does. Deploy addresses derive
        # from nonces, so we keep the chain's count and write it back before each CREATE.
        self._nonces: dict[str, int] = {}
        self._since_compaction = 0
        self.compactions = 0
        self._budget = JOURNAL_BUDGET  # raised with the state at each compaction
        self._copied: dict[str, _CopiedAccount] = {}  # the state at the last compaction
        self._creators: dict[str, tuple[str, int]] = {}  # contract (lower case) -> (deployer, its nonce then)

    @staticmethod
    def _block_env(number: int, timestamp: int) -> BlockEnv:
        return BlockEnv(number=number, timestamp=timestamp, basefee=0, gas_limit=BLOCK_GAS_LIMIT)

    def _mine_empty_block(self, timestamp: int) -> None:
        self.evm.set_block_env(self._block_env(self.block_number + 1, timestamp))

    def compact(self) -> None:
        """Copy the whole state into a fresh EVM, dropping the journal and logs pyrevm never releases.

        pyrevm keeps every call of a session in one open journal (about 15 KB per token transfer), so memory
        would grow without bound. Its only complete view of the state is the journal's Debug rendering; this
        parses accounts (balance, nonce, code) and storage from it and re-inserts them. Only done with no
        snapshot alive, since a fresh EVM has no checkpoints. As a side effect storage "original values" and
        warm/cold access start afresh, as at the end of a block."""
        text = self.evm.journal_str
        # the state is a small part of the text (most is the journal itself): parse it in place, no copy
        start, end = text.index("state: {"), text.index("}, transient_storage")
        matches = list(_ACCOUNT_RE.finditer(text, start, end))
        if not matches or len(matches) != text.count(": Account { info: AccountInfo {", start, end):
            raise RuntimeError("pyrevm's journal rendering was not understood: cannot compact the state")
        # The journal shows only what was touched since the last compaction; the rest lives in the previous
        # fresh EVM's database, which pyrevm cannot list, so the previous copy is kept here and updated.
        accounts = self._copied  # updated in place: a second copy of the whole state would double its memory
        for i, m in enumerate(matches):
            address, balance, nonce = m.group(1), int(m.group(2)), int(m.group(3))
            # analysed code is padded: keep the original `len` bytes (an EOA has none); raw code is as it is
            code = m.group(4) or ""
            if m.group(5) is not None:
                code = code[: 2 * int(m.group(5))]
            body = text[m.end(): matches[i + 1].start() if i + 1 < len(matches) else end]
            slots = accounts.get(address, (0, 0, "", {}))[3]
            for slot, value in _SLOT_RE.findall(body[: body.find("status: AccountStatus")]):
                if value == "0":
                    slots.pop(int(slot), None)
                else:
                    slots[int(slot)] = int(value)
            accounts[address] = (balance, nonce, code, slots)
        del text, matches  # hundreds of MB at the budget: not kept alive while the fresh EVM is filled
        fresh = EVM(env=Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=self._block_env(self.block_number, self.timestamp)),
                    spec_id="CANCUN", gas_limit=BLOCK_GAS_LIMIT)
        redeployed = self._redeploy_code(fresh, accounts)
        for address, (balance, nonce, code, slots) in accounts.items():
            if address not in redeployed:
                if code:
                    raw = bytes.fromhex(code)
                    # pyrevm's AccountInfo takes `balance` (its .pyi leaves the keyword out)
                    info = AccountInfo(  # type: ignore[call-arg]
                        balance=balance, nonce=nonce, code_hash=keccak(raw), code=raw
                    )
                else:
                    info = AccountInfo(balance=balance, nonce=nonce)  # type: ignore[call-arg]  # as above
                fresh.insert_account_info(address, info)
            for slot, value in slots.items():
                fresh.insert_account_storage(address, slot, value)
        self._copied = accounts
        self._budget = max(JOURNAL_BUDGET, int(FRAMES_PER_STORED_SLOT * sum(len(a[3]) for a in accounts.values())))
        self.evm = fresh
        self._since_compaction = 0
        self.compactions += 1

    def _redeploy_code(self, fresh: EVM, accounts: dict[str, _CopiedAccount]) -> set[str]:
        """Put each contract's code back by deploying it again from its deployer at the nonce it had, so it
        lands at the same address *analysed*: pyrevm inserts code only raw, and revm re-analyses raw code
        at every call frame (a third slower). A contract this backend did not deploy itself (created by
        another contract), or whose balance or nonce a fresh CREATE would not reproduce, is inserted raw."""
        redeployed: set[str] = set()
        for address, (balance, nonce, code, _) in accounts.items():
            creator = self._creators.get(address)
            if not code or creator is None or balance != 0 or nonce != 1:
                continue
            deployer, deployer_nonce = creator
            fresh.insert_account_info(deployer, AccountInfo(nonce=deployer_nonce))
            runtime = bytes.fromhex(code)
            created = fresh.deploy(deployer, _copying_constructor(runtime), gas=TX_GAS_LIMIT)
            if created.lower() != address:
                raise RuntimeError(f"redeploying {address} from {deployer} landed at {created}")
            redeployed.add(address)
        return redeployed

    def _maybe_compact(self) -> None:
        # reading the journal length costs microseconds: not after every transaction
        if self._since_compaction < CHECK_EVERY:
            return
        self._since_compaction = 0
        if self.evm.journal_len >= self._budget and not self._live_snapshots:
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

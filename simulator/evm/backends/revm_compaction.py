"""Bounding pyrevm's memory: its journal of every state change is released only by starting a fresh EVM.

pyrevm (0.3.7, the newest) runs each call inside one session-long journaled state that it never finalises, so
the journal, the logs and every account and slot ever touched stay in memory, about 15 KB per token transfer.
Its only complete view of that state is the Debug rendering `EVM.journal_str`. The compactor reads it and
gives the backend back the same state with the journal dropped, in two ways:

- The first compaction *rebuilds*: a fresh EVM, into which contracts with long code are deployed again from
  their deployer at the nonce they had (so they land at the same address with code analysed once, not at
  every call frame) with their storage, and everything else is inserted into the database. It then takes a
  *base* checkpoint.
- Later compactions work *in place*: read the state that changed since the base, revert to the base (which
  drops the journal and logs since then, and unloads every account loaded since), take a new base, and write
  the changes back: slots of the redeployed contracts above the new base, everything else into the database.

Storage in the database is not rendered in `journal_str` until a call loads it, so an in-place compaction
costs the journal since the last one plus the redeployed contracts' storage, not the whole state, and no copy
of the whole state is kept in Python. A slot loaded from the database carries its value as the original, as
on a chain between blocks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pyrevm import EVM, AccountInfo, JournalCheckpoint

# The journaled state's Debug rendering: accounts with their code and storage.
_ACCOUNT_RE = re.compile(r"(0x[0-9a-f]{40}): Account \{ info: AccountInfo \{ balance: (\d+), nonce: (\d+), "
                         r"code_hash: 0x[0-9a-f]{64}, code: (?:Some\(Bytecode \{ bytecode: 0x([0-9a-f]*), "
                         r"state: (?:Raw|\w+ \{ len: (\d+))|None)")
# A loaded slot renders as `KEY: StorageSlot { previous_or_original_value: A, present_value: B }`, the slots of
# one account joined by ", " inside "{...}". (A key follows "{" or ", ": anchoring on it spares the engine a retry
# at every digit of a 78-digit number.)
_SLOT_RE = re.compile(r"[{ ](\d+): StorageSlot \{ previous_or_original_value: (\d+), present_value: (\d+) \}")
_SLOT_SEP = ": StorageSlot { previous_or_original_value: "
_PRESENT = ", present_value: "
# Contracts with at least this much code are redeployed at the rebuild (revm analyses their code once); the
# rest (ONCHAINID proxies: one per investor, 529 bytes) are inserted raw, their storage into the database.
HOT_CODE_BYTES = 1024


@dataclass(slots=True)
class RenderedAccount:
    """One account of the rendering: balance, nonce, and where its code and slots are in `text` (read on
    demand: at the scale of the whole market the rendering runs to hundreds of MB, and a Python object for
    each of its slots would take as much again)."""

    balance: int
    nonce: int
    text: str
    code_span: tuple[int, int]  # runtime code in hex, without padding ("" for none)
    storage_span: tuple[int, int]

    @property
    def code(self) -> str:
        return self.text[self.code_span[0]:self.code_span[1]]

    @property
    def code_hex_len(self) -> int:
        return self.code_span[1] - self.code_span[0]

    def slots(self) -> Iterator[tuple[str, str]]:
        """Every loaded slot as (key, present value), decimal strings."""
        for m in _SLOT_RE.finditer(self.text, *self.storage_span):
            yield m.group(1), m.group(3)

    def changed_slots(self) -> Iterator[tuple[int, int]]:
        """The slots whose value changed since they were loaded, as (key, present value). Split on the literal
        before each loaded value rather than matched: most slots of a loaded identity are unchanged, and this
        reads them twice as fast as a regular expression (which must try each digit of a value as a key's)."""
        parts = self.text[self.storage_span[0]:self.storage_span[1]].split(_SLOT_SEP)
        for before, after in itertools.pairwise(parts):
            comma = after.index(_PRESENT)
            present = after[comma + len(_PRESENT):after.index(" }", comma)]
            if after[:comma] != present:
                yield int(before[max(before.rfind(" "), before.rfind("{")) + 1:]), int(present)

    def slot_count(self) -> int:
        return self.text.count(_SLOT_SEP, *self.storage_span)


def parse_state(text: str) -> dict[str, RenderedAccount]:
    """The accounts of a `journal_str` rendering, by lower-case address. Raises RuntimeError when the rendering
    is not understood (a pyrevm whose Debug output changed): nothing is half copied."""
    start, end = text.index("state: {"), text.index("}, transient_storage")
    matches = list(_ACCOUNT_RE.finditer(text, start, end))
    if not matches or len(matches) != text.count(": Account { info: AccountInfo {", start, end):
        raise RuntimeError("pyrevm's journal rendering was not understood: cannot compact the state")
    accounts = {}
    for i, m in enumerate(matches):
        # analysed code is padded: keep the original `len` bytes (an EOA has none); raw code is as it is
        code_start = m.start(4) if m.group(4) is not None else m.end()
        code_end = m.end(4) if m.group(4) is not None else code_start
        if m.group(5) is not None:
            code_end = min(code_end, code_start + 2 * int(m.group(5)))
        body_end = matches[i + 1].start() if i + 1 < len(matches) else end
        storage_end = text.find("status: AccountStatus", m.end(), body_end)
        accounts[m.group(1)] = RenderedAccount(int(m.group(2)), int(m.group(3)), text, (code_start, code_end),
                                               (m.end(), storage_end))
    return accounts


def copying_constructor(runtime: bytes) -> bytes:
    """Init code that returns `runtime` as the deployed code: CODECOPY(0, 14, n); RETURN(0, n)."""
    n = len(runtime)
    if n > 0xFFFF:
        raise ValueError("runtime code longer than PUSH2 can address")
    head = bytes([0x61]) + n.to_bytes(2, "big") + bytes([0x80, 0x60, 0x0E, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3])
    return head.ljust(14, b"\x00") + runtime


def account_info(balance: int, nonce: int, code: str) -> AccountInfo:
    # pyrevm's AccountInfo takes `balance` (its .pyi leaves the keyword out)
    if code:
        return AccountInfo(balance=balance, nonce=nonce, code=bytes.fromhex(code))  # type: ignore[call-arg]
    return AccountInfo(balance=balance, nonce=nonce)  # type: ignore[call-arg]


def insert_into_database(evm: EVM, pending: list[tuple[str, Iterator[tuple[int, int]], int]]) -> None:
    """Put storage into `evm`'s database, not its journaled state. pyrevm inserts a slot of a cold account into
    the database but then loads the account, which sends its next slot to the journal; reverting a checkpoint
    taken before unloads the account again (the database write is not journaled). So slots go in rounds, one
    per account per round, between a snapshot and its revert. `pending` holds (address, slots, how many)."""
    while pending:
        checkpoint = evm.snapshot()
        later = []
        for address, items, left in pending:
            slot, value = next(items)
            evm.insert_account_storage(address, slot, value)
            if left > 1:
                later.append((address, items, left - 1))
        evm.revert(checkpoint)
        pending = later


@dataclass
class Compactor:
    """What the compactions remember: the redeployed ("hot") contracts' storage as rebuilt (the base holds it
    exactly), every account's balance and nonce, and the base checkpoint."""

    deploy_gas: int
    # address -> slot -> value at the rebuild, as rendered (decimal strings: compared, never converted)
    hot: dict[str, dict[str, str]] = field(default_factory=dict)
    infos: dict[str, tuple[int, int]] = field(default_factory=dict)  # every account: (balance, nonce)
    base: JournalCheckpoint | None = None
    base_frames: int = 0  # the journal's length at the base (frames before it are never released)
    raw_contracts: int = 0  # contracts with long code created after the rebuild, so carried raw (slower)
    hot_slots: int = 0  # the redeployed contracts' slots rendered at the last compaction (what one costs)
    bytes_per_frame: float = 0.0  # the last rendering's length over the journal frames it covered

    def frames_since_base(self, evm: EVM) -> int:
        return evm.journal_len - self.base_frames

    def compact(self, evm: EVM, fresh: Callable[[], EVM], creators: dict[str, tuple[str, int]]) -> EVM:
        """The EVM to carry on with: `evm` itself compacted in place, or (the first time) a fresh one."""
        text = evm.journal_str
        self.bytes_per_frame = len(text) / max(1, self.frames_since_base(evm))
        accounts = parse_state(text)
        if self.base is None:
            evm = self._rebuild(fresh(), accounts, creators)
            self.base = evm.snapshot()
        else:
            self._in_place(evm, accounts)
        self.base_frames = evm.journal_len
        self.hot_slots = sum(accounts[a].slot_count() for a in self.hot)
        return evm

    def _rebuild(self, evm: EVM, accounts: dict[str, RenderedAccount],
                 creators: dict[str, tuple[str, int]]) -> EVM:
        hot = set()
        for address, acct in accounts.items():
            creator = creators.get(address)
            if acct.code_hex_len < 2 * HOT_CODE_BYTES or creator is None or acct.balance != 0 or acct.nonce != 1:
                continue
            deployer, deployer_nonce = creator
            evm.insert_account_info(deployer, AccountInfo(nonce=deployer_nonce))
            created = evm.deploy(deployer, copying_constructor(bytes.fromhex(acct.code)), gas=self.deploy_gas)
            if created.lower() != address:
                raise RuntimeError(f"redeploying {address} from {deployer} landed at {created}")
            hot.add(address)
        cold: list[tuple[str, Iterator[tuple[int, int]], int]] = []
        for address, acct in accounts.items():
            slots = {k: v for k, v in acct.slots() if v != "0"}
            self.infos[address] = (acct.balance, acct.nonce)
            if address in hot:
                for slot, value in slots.items():
                    evm.insert_account_storage(address, int(slot), int(value))
                self.hot[address] = slots
                continue
            evm.insert_account_info(address, account_info(acct.balance, acct.nonce, acct.code))
            if slots:
                cold.append((address, ((int(k), int(v)) for k, v in slots.items()), len(slots)))
        insert_into_database(evm, cold)
        return evm

    def _in_place(self, evm: EVM, accounts: dict[str, RenderedAccount]) -> None:
        if self.base is None:
            raise RuntimeError("an in-place compaction needs the base checkpoint of a rebuild")
        evm.revert(self.base)  # the hot contracts are back to their rebuilt storage; all else is unloaded
        # the new base comes before the hot contracts' changes since the rebuild are written back, so the next
        # compaction's revert takes them off again and they are written once more: they never pile up below it
        self.base = evm.snapshot()
        cold: list[tuple[str, Iterator[tuple[int, int]], int]] = []
        for address, acct in accounts.items():
            if self.infos.get(address, (0, 0)) != (acct.balance, acct.nonce):
                if address not in self.infos and acct.code_hex_len >= 2 * HOT_CODE_BYTES:
                    self.raw_contracts += 1
                # written outside the journal, so it outlives later reverts (a redeployed contract's code goes
                # back in raw)
                evm.insert_account_info(address, account_info(acct.balance, acct.nonce, acct.code))
                self.infos[address] = (acct.balance, acct.nonce)
            if address in self.hot:
                continue
            changed = list(acct.changed_slots())
            if changed:
                cold.append((address, iter(changed), len(changed)))
        insert_into_database(evm, cold)
        for address, rebuilt in self.hot.items():
            for key, present in accounts[address].slots():
                if rebuilt.get(key, "0") != present:
                    evm.insert_account_storage(address, int(key), int(present))

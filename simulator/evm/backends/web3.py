"""The `web3` backend: web3.py over eth-tester's in-memory py-evm, or over any JSON-RPC node.

This is how most Python projects talk to a chain, and the path to a real node (anvil, hardhat).
Transactions are signed locally with the deterministic account keys and sent raw, so any node works;
the node must let us drive block time (`evm_setNextBlockTimestamp`, `evm_mine`) for the simulation
clock, and snapshots need `evm_snapshot`/`evm_revert` (anvil and hardhat have all of them).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from eth_account import Account
from eth_typing import ChecksumAddress
from eth_utils import to_bytes, to_checksum_address
from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.types import RPCEndpoint, Wei

from simulator.evm.backends.base import (
    BLOCK_GAS_LIMIT,
    GENESIS_TIMESTAMP,
    TX_GAS_LIMIT,
    Backend,
    RawLog,
    TxResult,
)
from simulator.evm.errors import UserError

_Token = tuple[object, dict[str, int]]  # a snapshot: the node's (or eth-tester's) snapshot id and the nonces then
_Block = Literal["latest", "pending"]  # the blocks a dry run executes against


class Web3Backend(Backend):
    name = "web3"

    def __init__(self, rpc_url: str | None = None) -> None:
        super().__init__()
        self.rpc_url = rpc_url
        self._keys: dict[str, bytes] = {}
        self._nonces: dict[str, int] = {}
        if rpc_url is None:
            self._init_eth_tester()
        else:
            self._init_rpc(rpc_url)
        self.chain_id = self.w3.eth.chain_id

    # --- connection ------------------------------------------------------------------------
    def _init_eth_tester(self) -> None:
        from eth.vm.forks.cancun import CancunVM
        from eth_tester import EthereumTester, PyEVMBackend

        params = PyEVMBackend.generate_genesis_params(
            overrides={"timestamp": GENESIS_TIMESTAMP, "gas_limit": BLOCK_GAS_LIMIT}
        )
        params["base_fee_per_gas"] = 0  # zero-fee chain, like every other backend
        self._tester_backend = PyEVMBackend(genesis_parameters=params, vm_configuration=((0, CancunVM),))
        self.tester = EthereumTester(self._tester_backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.fee_per_gas = 0

    def _init_rpc(self, url: str) -> None:
        self.tester = None
        self.w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 30}))
        try:
            latest = self.w3.eth.get_block("latest")
        except Exception as exc:  # noqa: BLE001 - requests/aiohttp/JSON errors all mean the same thing to a user
            raise UserError(f"RPC node at {url} is unreachable: {type(exc).__name__}: {exc}") from None
        self.block_number = latest["number"]
        # The simulation clock starts at GENESIS_TIMESTAMP; a node already past it shifts every timestamp.
        self.timestamp = max(latest["timestamp"], GENESIS_TIMESTAMP)
        self.fee_per_gas = 2 * int(latest.get("baseFeePerGas", 0) or 0)
        if self._rpc("web3_clientVersion") is None:
            raise UserError(f"RPC node at {url} did not answer web3_clientVersion")

    def _rpc(self, method: str, *params: object) -> Any:
        """A raw JSON-RPC request that turns connection failures into one clear error: the JSON result, or the
        whole response (a dict with "error") when the node answered with an error."""
        try:
            response = self.w3.provider.make_request(RPCEndpoint(method), list(params))
        except Exception as exc:  # noqa: BLE001 - connection, timeout and JSON errors all mean the node failed
            raise UserError(f"RPC node at {self.rpc_url} failed on {method}: {type(exc).__name__}: {exc}") from None
        if "error" in response:
            return response
        return response.get("result")

    def _rpc_required(self, method: str, *params: object) -> Any:
        response = self._rpc(method, *params)
        if isinstance(response, dict) and "error" in response:
            raise UserError(
                f"RPC node at {self.rpc_url} refused {method}: {response['error'].get('message')} "
                "(the simulator drives block time and snapshots: use anvil or hardhat)"
            )
        return response

    def describe(self) -> str:
        return f"web3 ({self.rpc_url})" if self.rpc_url else "web3 (eth-tester)"

    # --- accounts --------------------------------------------------------------------------
    def prepare_account(self, address: str, private_key: bytes) -> None:
        self._keys[address] = private_key
        if self.fee_per_gas and self.get_balance(address) == 0:
            wei = hex(10**24)
            for method in ("anvil_setBalance", "hardhat_setBalance"):
                result = self._rpc(method, address, wei)
                if not (isinstance(result, dict) and "error" in result):
                    return
            raise UserError(f"RPC node at {self.rpc_url} charges gas and cannot fund {address}: fund it first")

    def _nonce(self, sender: str) -> int:
        if sender not in self._nonces:  # a Backend's addresses are checksummed
            self._nonces[sender] = self.w3.eth.get_transaction_count(cast(ChecksumAddress, sender), "latest")
        return self._nonces[sender]

    # --- blocks ----------------------------------------------------------------------------
    def _set_next_timestamp(self, timestamp: int) -> None:
        if self.tester is not None:
            chain = self._tester_backend.chain
            chain.header = chain.header.copy(timestamp=timestamp)
        else:
            self._rpc_required("evm_setNextBlockTimestamp", hex(timestamp))

    def _mine_empty_block(self, timestamp: int) -> None:
        self._set_next_timestamp(timestamp)
        if self.tester is not None:
            self.tester.mine_blocks(1)
        else:
            self._rpc_required("evm_mine")

    def _send(self, sender: str, tx: dict, want_output: bool = False) -> TxResult:
        key = self._keys.get(sender)
        if key is None:
            raise UserError(f"no key for sender {sender}: create it through Chain.accounts")
        number, timestamp = self._next_block()
        try:
            nonce = self._nonce(sender)
        except Exception as exc:
            if self.rpc_url is None:
                raise
            raise UserError(f"RPC node at {self.rpc_url} failed: {type(exc).__name__}: {exc}") from None
        tx = {
            "nonce": nonce,
            "gas": TX_GAS_LIMIT,
            "gasPrice": self.fee_per_gas,
            "chainId": self.chain_id,
            "value": 0,
            **tx,
        }
        raw = Account.sign_transaction(tx, key).raw_transaction
        self._set_next_timestamp(timestamp)
        preflight = None
        if want_output:
            # Receipts carry no return data: dry-run on the pending block (same state, same clock) first.
            preflight = self._eth_call(self._call_params(sender, tx), block="pending")
        try:
            tx_hash = self.w3.eth.send_raw_transaction(raw)
            if self.tester is not None:
                receipt = self.w3.eth.get_transaction_receipt(tx_hash)
            else:  # a node may answer the send before its automined block is indexed
                receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.002)
        except UserError:
            raise
        except Exception as exc:
            if self.rpc_url is None:
                raise
            raise UserError(f"RPC node at {self.rpc_url} failed to take a transaction: "
                            f"{type(exc).__name__}: {exc}") from None
        self._nonces[sender] = tx["nonce"] + 1
        if receipt["blockNumber"] != number:
            raise UserError(f"node mined block {receipt['blockNumber']}, expected {number}: "
                            "is it automining one block per tx?")
        success = receipt["status"] == 1
        logs = [
            RawLog(to_checksum_address(log["address"]), tuple(bytes(t) for t in log["topics"]), bytes(log["data"]))
            for log in receipt["logs"]
        ]
        if preflight is not None and preflight[0] == success:
            output = preflight[1]
        else:
            output = b"" if success else self._eth_call(self._call_params(sender, tx))[1]
        return self._account(
            TxResult(success, output, receipt["gasUsed"], logs, number, timestamp, tx_hash="0x" + bytes(tx_hash).hex(),
                     contract_address=receipt.get("contractAddress") if success else None)
        )

    @staticmethod
    def _call_params(sender: str, tx: dict) -> dict:
        call = {"from": sender, "data": tx["data"], "gas": TX_GAS_LIMIT}
        if tx.get("to"):
            call["to"] = tx["to"]
        return call

    def _eth_call(self, call: dict, block: _Block = "latest") -> tuple[bool, bytes]:
        """(success, output) of a dry run; a revert's output is its raw revert data."""
        if self.tester is not None:
            try:
                return True, bytes(self.w3.eth.call({**call, "gasPrice": Wei(0)}, block))
            except Exception:  # noqa: BLE001 - eth-tester folds the revert data into a message: replay to get it raw
                return False, self._tester_revert_output(call, block)
        params = {k: (("0x" + v.hex()) if isinstance(v, bytes) else (hex(v) if isinstance(v, int) else v))
                  for k, v in call.items()}
        response = self._rpc("eth_call", params, block)
        if isinstance(response, dict) and "error" in response:
            data = response["error"].get("data") or "0x"
            if isinstance(data, dict):  # some nodes nest it
                data = data.get("data", "0x")
            return False, bytes.fromhex(data[2:])
        return True, bytes.fromhex(response[2:])

    # --- Backend API -----------------------------------------------------------------------
    def deploy(self, sender: str, initcode: bytes) -> TxResult:
        return self._send(sender, {"data": initcode})

    def transact(self, sender: str, to: str, data: bytes, value: int = 0, want_output: bool = False) -> TxResult:
        return self._send(sender, {"to": to, "data": data, "value": value}, want_output)

    def call(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        return self._eth_call({"from": sender, "to": to, "data": data, "gas": TX_GAS_LIMIT})

    def _tester_revert_output(self, call: dict, block: _Block) -> bytes:
        from eth.vm.spoof import SpoofTransaction
        from eth_tester.backends.pyevm.main import _execute_and_revert_transaction

        chain = self._tester_backend.chain
        sender = to_bytes(hexstr=call["from"])
        unsigned = chain.create_unsigned_transaction(
            nonce=chain.get_vm().state.get_nonce(sender), gas_price=0, gas=call["gas"],
            to=to_bytes(hexstr=call["to"]) if "to" in call else b"", value=0, data=call["data"],
        )
        computation = _execute_and_revert_transaction(chain, SpoofTransaction(unsigned, from_=sender), block)
        return bytes(computation.output)

    def _snapshot(self) -> _Token:
        nonces = dict(self._nonces)
        if self.tester is not None:
            return self.tester.take_snapshot(), nonces
        return self._rpc_required("evm_snapshot"), nonces

    def _revert(self, token: object) -> None:
        snap, self._nonces = cast(_Token, token)  # what _snapshot returned
        if self.tester is not None:
            self.tester.revert_to_snapshot(snap)
        else:
            self._rpc_required("evm_revert", snap)

    def get_balance(self, address: str) -> int:
        return self.w3.eth.get_balance(cast(ChecksumAddress, address))

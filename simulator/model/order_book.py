"""A price-time priority limit order book for secondary trading of the revenue-rights token.

A licensed Hong Kong trading platform matches its investors' orders here; every `Match` is later settled
on-chain by DvP (delivery versus payment) by other code. This module is pure: no SimPy, no chain, no
randomness, no floats.

Units
-----
* Prices are integers in HKD minor units (cents) per *whole* token.
* Quantities are integers in token base units; the token has 18 decimals, so a whole token is 10**18.
* The cash leg of a match is `cash_value(qty, price) = qty * price // 10**18` cents, **rounded down**
  (floor). The buyer pays and the seller receives that floored amount, so any sub-cent dust is the
  seller's. Order quantities must be a multiple of the book's `lot_size` (default 10**16 = 0.01 token),
  and every match quantity is then a multiple of it too, so the dust is bounded: with the default lot
  the exact value is `lots * price / 100` cents and the floor drops less than one cent per match.
  (A match's cash value is zero only if `lot_size * price < 10**18`, i.e. below HKD 1.00 per token with
  the default lot; the book does not forbid such prices.)

Matching rules
--------------
* `submit` treats every order as a limit order. It matches against the best opposite price first and,
  within a price level, by arrival at the book (the book's `sequence`, not `submitted_at`). A match
  executes at the *resting* order's price. What is left rests on the book at the order's limit price.
* No self-trade: an incoming order never matches a resting order of the same investor (wallet addresses
  compare case-insensitively). Such resting orders are *skipped*: they keep their place in the queue and
  the incoming order goes on to later orders at the same level and to worse levels within its limit.
  If quantity is then left over and resting it would cross the book (which can only be against the same
  investor's own orders, since every other crossing order has been matched), the remainder is *not*
  rested: it is cancelled, and `book.last_dropped` holds it (open quantity) until the next `submit`.
  Otherwise `last_dropped` is None. So the book is never crossed: after `submit` returns,
  `best_bid() < best_ask()` whenever both exist.
* Orders handed back by `cancel`, `get`, `last_dropped`, `open_orders`, `remove_investor` and `clear`
  carry the *open* quantity (what was, or is, on the book), not the originally submitted quantity; the
  filled part is in the matches. Lists of orders come in sequence (arrival) order.
  Per order: submitted = matched + resting + cancelled (including dropped).
* `match_id` is `f"{buy_order_id}:{sell_order_id}:{n}"` where `n` is the book's running match number
  (1, 2, 3, ...), so ids are unique and reproducible for the same sequence of calls.
* Order ids must be unique among the orders *resting* on the book; the book does not remember ids of
  orders that have left it (that would grow without bound over years of trading), so callers that need
  globally unique ids must ensure it themselves.

Complexity (L = number of price levels on a side, k = orders touched)
----------------------------------------------------------------------
Each side keeps a binary heap of level prices (`heapq`) plus a dict from price to a FIFO `deque` of
resting entries. Deletion is lazy: a cancelled entry is only flagged, and the level's counters updated;
empty levels stay in the heap until they surface at the top (or the heap is rebuilt when it holds more
than twice as many prices as there are live levels, plus 64). `submit` is O(log L) per level touched plus
O(1) per order matched or skipped; `cancel` is O(1) amortised (plus occasional compaction of a level
whose queue holds more dead than live entries); `best_bid`/`best_ask` are O(log L) amortised;
`depth(side, n)` is O(L log n); `open_orders`/`remove_investor` are O(m) for the investor's m orders;
`clear` is O(N) for the N resting orders. Memory is O(N + L).
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from dataclasses import dataclass, replace

TOKEN = 10**18
DEFAULT_LOT_SIZE = 10**16

BUY = "buy"
SELL = "sell"
SIDES = (BUY, SELL)

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _check_int(name: str, value: object, minimum: int) -> None:
    if type(value) is not int:  # bool is a subclass of int and is refused too
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def cash_value(qty: int, price: int) -> int:
    """Cents paid for `qty` base units at `price` cents per whole token: floor(qty * price / 10**18)."""
    _check_int("qty", qty, 0)
    _check_int("price", price, 0)
    return qty * price // TOKEN


@dataclass(frozen=True, slots=True)
class Order:
    """A limit order. `sequence` is assigned by the book on `submit` (any value passed in is replaced)."""

    order_id: str
    side: str
    investor: str
    price: int
    quantity: int
    submitted_at: int
    sequence: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.order_id, str) or not self.order_id:
            raise ValueError("order_id must be a non-empty str")
        if self.side not in SIDES:
            raise ValueError(f"side must be 'buy' or 'sell', got {self.side!r}")
        if not isinstance(self.investor, str) or not _ADDRESS.fullmatch(self.investor):
            raise ValueError(f"investor must be a 0x-prefixed 20-byte hex wallet address, got {self.investor!r}")
        _check_int("price", self.price, 1)
        _check_int("quantity", self.quantity, 1)
        _check_int("submitted_at", self.submitted_at, 0)
        _check_int("sequence", self.sequence, 0)


@dataclass(frozen=True, slots=True)
class Match:
    """One execution, to be settled by DvP: `quantity` base units against `cash_value` cents."""

    match_id: str
    buy_order_id: str
    sell_order_id: str
    buyer: str
    seller: str
    price: int
    quantity: int
    cash_value: int
    matched_at: int


class _Entry:
    """A resting order: the order as accepted (with its sequence) and its open quantity."""

    __slots__ = ("alive", "key", "order", "remaining")

    def __init__(self, order: Order) -> None:
        self.order = order
        self.remaining = order.quantity
        self.alive = True
        self.key = order.investor.lower()

    def view(self) -> Order:
        return replace(self.order, quantity=self.remaining)


class _Level:
    __slots__ = ("dead", "live", "qty", "queue")

    def __init__(self) -> None:
        self.queue: deque[_Entry] = deque()
        self.live = 0  # alive entries in queue
        self.dead = 0  # cancelled entries still in queue (lazy deletion)
        self.qty = 0  # open quantity of the alive entries


class _Side:
    """One side of the book. The heap holds `sign * price` so its top is the best price (bids: sign=-1)."""

    __slots__ = ("heap", "in_heap", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.heap: list[int] = []
        self.in_heap: set[int] = set()  # prices present in heap, so each is pushed at most once
        self.levels: dict[int, _Level] = {}  # only non-empty levels

    def best(self) -> int | None:
        heap, levels = self.heap, self.levels
        while heap:
            price = heap[0] * self.sign
            if price in levels:
                return price
            heapq.heappop(heap)
            self.in_heap.discard(price)
        return None

    def level_for(self, price: int) -> _Level:
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = _Level()
            if len(self.heap) > 2 * len(self.levels) + 64:  # too many stale prices: rebuild
                self.heap = [p * self.sign for p in self.levels]
                heapq.heapify(self.heap)
                self.in_heap = set(self.levels)
            elif price not in self.in_heap:
                heapq.heappush(self.heap, price * self.sign)
                self.in_heap.add(price)
        return level


class OrderBook:
    """Price-time priority limit order book with lot-size validation and self-trade prevention."""

    def __init__(self, lot_size: int = DEFAULT_LOT_SIZE) -> None:
        _check_int("lot_size", lot_size, 1)
        self.lot_size = lot_size
        self._bids = _Side(-1)
        self._asks = _Side(+1)
        self._orders: dict[str, _Entry] = {}  # resting orders by id
        self._by_investor: dict[str, dict[str, _Entry]] = {}  # lower-cased address -> id -> entry
        self._sequence = 0
        self._match_count = 0
        self.last_dropped: Order | None = None  # see submit: remainder cancelled by self-trade prevention

    # ------------------------------------------------------------------ submission and matching

    def submit(self, order: Order) -> list[Match]:
        """Match `order` as a limit order; rest the remainder. Returns the matches in execution order.

        The remainder is cancelled instead of rested (and left in `last_dropped`) if resting it would cross
        the investor's own orders on the other side; see the module docstring.
        """
        if not isinstance(order, Order):
            raise ValueError(f"order must be an Order, got {type(order).__name__}")
        if order.quantity % self.lot_size:
            raise ValueError(f"quantity {order.quantity} must be a multiple of lot_size {self.lot_size}")
        if order.order_id in self._orders:
            raise ValueError(f"order_id {order.order_id!r} is already resting on the book")

        self._sequence += 1
        entry = _Entry(replace(order, sequence=self._sequence))
        is_buy = order.side == BUY
        opposite = self._asks if is_buy else self._bids
        matches: list[Match] = []
        held: list[int] = []  # levels holding only this investor's orders, popped while we look further
        heap = opposite.heap
        while entry.remaining and heap:
            price = heap[0] * opposite.sign
            level = opposite.levels.get(price)
            if level is None:  # stale heap entry
                heapq.heappop(heap)
                opposite.in_heap.discard(price)
                continue
            if (price > order.price) if is_buy else (price < order.price):
                break
            self._match_level(entry, is_buy, price, level, matches)
            if level.live == 0:
                del opposite.levels[price]
                heapq.heappop(heap)
                opposite.in_heap.discard(price)
            elif entry.remaining:  # only self orders left here: look at the next level
                held.append(heapq.heappop(heap))
        for key in held:
            heapq.heappush(heap, key)

        self.last_dropped = None
        if entry.remaining:
            best = opposite.best()
            if best is not None and ((order.price >= best) if is_buy else (order.price <= best)):
                # Everything left within our limit is our own: resting would cross the book. Drop the rest.
                self.last_dropped = entry.view()
                return matches
            own = self._bids if is_buy else self._asks
            level = own.level_for(order.price)
            level.queue.append(entry)
            level.live += 1
            level.qty += entry.remaining
            self._orders[order.order_id] = entry
            self._by_investor.setdefault(entry.key, {})[order.order_id] = entry
        return matches

    def _match_level(self, entry: _Entry, is_buy: bool, price: int, level: _Level, out: list[Match]) -> None:
        queue = level.queue
        skipped: list[_Entry] = []
        incoming = entry.order
        while queue and entry.remaining:
            resting = queue[0]
            if not resting.alive:
                queue.popleft()
                level.dead -= 1
                continue
            if resting.key == entry.key:  # no self-trade: skip, keeping its place
                skipped.append(queue.popleft())
                continue
            qty = min(entry.remaining, resting.remaining)
            entry.remaining -= qty
            resting.remaining -= qty
            level.qty -= qty
            self._match_count += 1
            buy, sell = (incoming, resting.order) if is_buy else (resting.order, incoming)
            out.append(
                Match(
                    match_id=f"{buy.order_id}:{sell.order_id}:{self._match_count}",
                    buy_order_id=buy.order_id,
                    sell_order_id=sell.order_id,
                    buyer=buy.investor,
                    seller=sell.investor,
                    price=price,
                    quantity=qty,
                    cash_value=qty * price // TOKEN,
                    matched_at=incoming.submitted_at,
                )
            )
            if resting.remaining == 0:
                queue.popleft()
                resting.alive = False
                level.live -= 1
                self._forget(resting)
        if skipped:
            queue.extendleft(reversed(skipped))

    # ------------------------------------------------------------------ cancellation

    def _forget(self, entry: _Entry) -> None:
        order_id = entry.order.order_id
        del self._orders[order_id]
        mine = self._by_investor[entry.key]
        del mine[order_id]
        if not mine:
            del self._by_investor[entry.key]

    def _take_off(self, entry: _Entry) -> Order:
        side = self._bids if entry.order.side == BUY else self._asks
        price = entry.order.price
        level = side.levels[price]
        entry.alive = False
        level.live -= 1
        level.qty -= entry.remaining
        self._forget(entry)
        if level.live == 0:
            del side.levels[price]  # its heap entry goes lazily
        else:
            level.dead += 1
            if level.dead > 32 and level.dead > level.live:
                level.queue = deque(e for e in level.queue if e.alive)
                level.dead = 0
        return entry.view()

    def cancel(self, order_id: str) -> Order | None:
        """Take a resting order off the book; returns it with its open quantity, or None if not resting."""
        entry = self._orders.get(order_id)
        if entry is None:
            return None
        return self._take_off(entry)

    def remove_investor(self, investor: str) -> list[Order]:
        """Cancel all of an investor's resting orders (e.g. their KYC lapsed); returned in sequence order."""
        mine = self._by_investor.get(investor.lower())
        if not mine:
            return []
        entries = list(mine.values())  # insertion order is sequence order
        return [self._take_off(e) for e in entries]

    def clear(self) -> list[Order]:
        """Cancel every resting order (e.g. the platform lost its licence); returned in sequence order."""
        cancelled = [e.view() for e in self._orders.values()]  # insertion order is sequence order
        self._bids = _Side(-1)
        self._asks = _Side(+1)
        self._orders = {}
        self._by_investor = {}
        return cancelled

    # ------------------------------------------------------------------ queries

    def best_bid(self) -> int | None:
        return self._bids.best()

    def best_ask(self) -> int | None:
        return self._asks.best()

    def depth(self, side: str, levels: int) -> list[tuple[int, int]]:
        """The best `levels` price levels of `side` as (price, open quantity), best first."""
        if side not in SIDES:
            raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
        _check_int("levels", levels, 0)
        book = self._bids if side == BUY else self._asks
        prices = (heapq.nlargest if side == BUY else heapq.nsmallest)(levels, book.levels)
        return [(p, book.levels[p].qty) for p in prices]

    def get(self, order_id: str) -> Order | None:
        """The resting order with this id (open quantity, book-assigned sequence), or None."""
        entry = self._orders.get(order_id)
        return None if entry is None else entry.view()

    def open_orders(self, investor: str) -> list[Order]:
        """The investor's resting orders (open quantities), in sequence order."""
        mine = self._by_investor.get(investor.lower(), {})
        return [e.view() for e in mine.values()]  # insertion order is sequence order

    def is_crossed(self) -> bool:
        """True if best_bid() >= best_ask(); `submit` guarantees this is False after it returns."""
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    def __len__(self) -> int:
        return len(self._orders)

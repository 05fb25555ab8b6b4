"""The custody report: where the customers' assets are, and whether enough of them are cold.

Per asset: the on-chain balances of the deposit addresses (added up), of the hot wallet and
of the cold address (asked of the node: `eth_getBalance`, or the token's `balanceOf`),
beside the ledger's liabilities (every user's free and held balance). Each is valued in KRW
at the trailing one-year average price: the mean of the daily closes of the exchange's own
`<ASSET>KRW` market over the last 365 days (a day without trades counts at the previous
close, as the klines show it). An asset without a KRW market or without a trade has no
value and is said to be unvalued: it is left out of the shares, never valued at zero.

Then the two Korean rules (Virtual Asset User Protection Act):

- at least 80 % of the customers' assets, by value, in cold storage: `cold ÷ (online +
  cold)`, where online is the hot wallet *and* the deposit addresses (their keys are online
  too, so they count as hot);
- a reserve against hacks of at least 5 % of the online value.

Everything is computed exactly (integers and fractions) and shown as decimal strings,
values rounded down to the KRW precision, the share to 0.01 %. JSON for programs, CSV for
spreadsheets.
"""

import asyncio
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any, Final

from assetport.chain.addresses import Address
from assetport.custody.networks import ChainAsset
from assetport.custody.node_rpc import NodeRpc
from assetport.domain.candles import Candle

COLD_SHARE_REQUIRED: Final = Fraction(80, 100)
HACK_RESERVE_SHARE: Final = Fraction(5, 100)
AVERAGE_DAYS: Final = 365
DAY_MS: Final = 24 * 60 * 60 * 1000
QUOTE: Final = "KRW"
# ERC-20 balanceOf(address)
_BALANCE_OF: Final = "0x70a08231"
# Balance queries at once: enough to hide the round trips, few enough for any node.
_CONCURRENT_QUERIES: Final = 16


@dataclass(frozen=True, slots=True)
class Holdings:
    """One asset's balances: on chain in its smallest units (`cold` None when no cold
    address is configured), the liabilities in ledger units."""

    asset: str
    chain_decimals: int
    ledger_precision: int
    deposit: int
    hot: int
    cold: int | None
    liabilities: int


@dataclass(frozen=True, slots=True)
class Price:
    """The trailing average KRW price of one whole unit, and the days it is over."""

    average: Fraction
    days: int


def average_price(closes: Sequence[int], quote_precision: int) -> Price | None:
    """The mean of daily closes (integer KRW units, `quote_precision` decimals) as KRW per
    whole unit of the asset; None without a close."""
    if not closes:
        return None
    return Price(Fraction(sum(closes), len(closes) * 10**quote_precision), len(closes))


def yearly_average(candles: Sequence[Candle], now_ms: int, quote_precision: int) -> Price | None:
    """The trailing one-year average from daily candles (by open time, as the klines
    answer them): the mean close of those opened in the last 365 days up to `now_ms`."""
    start = now_ms - AVERAGE_DAYS * DAY_MS
    closes = [c.close for c in candles if start <= c.open_time <= now_ms]
    return average_price(closes[-AVERAGE_DAYS:], quote_precision)


def whole_units(amount: int, decimals: int) -> Fraction:
    return Fraction(amount, 10**decimals)


def shown(value: Fraction, places: int) -> str:
    """`value` as a decimal string with `places` decimals, rounded down."""
    scaled = value.numerator * 10**places // value.denominator
    return str(Decimal(scaled).scaleb(-places).quantize(Decimal(1).scaleb(-places), ROUND_DOWN))


def percent(share: Fraction) -> str:
    return shown(share * 100, 2)


def custody_report(
    holdings: Sequence[Holdings],
    prices: Mapping[str, Price | None],
    quote_precision: int,
    *,
    as_of_ms: int,
    cold_address: str | None,
    hot_address: str,
) -> dict[str, Any]:
    """The report as JSON (see the module): one line per asset, then the totals."""
    lines: list[dict[str, Any]] = []
    online_value = Fraction(0)
    cold_value = Fraction(0)
    unvalued: list[str] = []
    for held in holdings:
        deposit = whole_units(held.deposit, held.chain_decimals)
        hot = whole_units(held.hot, held.chain_decimals)
        cold = whole_units(held.cold or 0, held.chain_decimals)
        liabilities = whole_units(held.liabilities, held.ledger_precision)
        on_chain = deposit + hot + cold
        line: dict[str, Any] = {
            "asset": held.asset,
            "depositAddresses": shown(deposit, held.chain_decimals),
            "hotWallet": shown(hot, held.chain_decimals),
            "coldWallet": None if held.cold is None else shown(cold, held.chain_decimals),
            "onChain": shown(on_chain, held.chain_decimals),
            "liabilities": shown(liabilities, held.ledger_precision),
            "reserveRatio": None if liabilities == 0 else percent(on_chain / liabilities),
        }
        price = prices.get(held.asset)
        if price is None:
            unvalued.append(held.asset)
            line |= {"averagePrice": None, "priceDays": 0, "value": None}
            line["valueNote"] = f"no {held.asset}{QUOTE} market with trades: value unknown"
        else:
            online = (deposit + hot) * price.average
            in_cold = cold * price.average
            online_value += online
            cold_value += in_cold
            line |= {
                "averagePrice": shown(price.average, quote_precision),
                "priceDays": price.days,
                "onlineValue": shown(online, quote_precision),
                "coldValue": shown(in_cold, quote_precision),
                "value": shown(online + in_cold, quote_precision),
                "coldShare": None
                if online + in_cold == 0
                else percent(in_cold / (online + in_cold)),
            }
        lines.append(line)
    total = online_value + cold_value
    share = None if total == 0 else cold_value / total
    return {
        "asOf": as_of_ms,
        "quote": QUOTE,
        "priceBasis": f"mean of the daily closes of <ASSET>{QUOTE} over the last "
        f"{AVERAGE_DAYS} days",
        "hotAddress": hot_address,
        "coldAddress": cold_address,
        "assets": lines,
        "unvalued": unvalued,
        "totals": {
            "onlineValue": shown(online_value, quote_precision),
            "coldValue": shown(cold_value, quote_precision),
            "value": shown(total, quote_precision),
            "coldShare": None if share is None else percent(share),
            "coldShareRequired": percent(COLD_SHARE_REQUIRED),
            "coldRule": "PASS" if share is not None and share >= COLD_SHARE_REQUIRED else "FAIL",
            "hackReserve": shown(online_value * HACK_RESERVE_SHARE, quote_precision),
            "hackReserveShare": percent(HACK_RESERVE_SHARE),
        },
    }


_CSV_FIELDS: Final = (
    "asset", "depositAddresses", "hotWallet", "coldWallet", "onChain", "liabilities",
    "reserveRatio", "averagePrice", "priceDays", "onlineValue", "coldValue", "value",
    "coldShare",
)  # fmt: skip


def report_csv(report: Mapping[str, Any]) -> str:
    """The report as CSV: a row per asset, then a TOTAL row and the two rules' rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for line in report["assets"]:
        writer.writerow(["" if line.get(name) is None else line[name] for name in _CSV_FIELDS])
    totals = report["totals"]
    total_row = {"asset": "TOTAL", "onlineValue": totals["onlineValue"],
                 "coldValue": totals["coldValue"], "value": totals["value"],
                 "coldShare": totals["coldShare"]}  # fmt: skip
    writer.writerow([total_row.get(name) or "" for name in _CSV_FIELDS])
    writer.writerow([])
    writer.writerow(["rule", "required", "actual", "result"])
    writer.writerow(
        ["cold share", totals["coldShareRequired"], totals["coldShare"] or "", totals["coldRule"]]
    )
    writer.writerow(["hack reserve (5% of online value)", totals["hackReserve"], "", ""])
    if report["unvalued"]:
        writer.writerow(["unvalued (no KRW price)", " ".join(report["unvalued"]), "", ""])
    return out.getvalue()


# -- reading the chain -------------------------------------------------------------------


async def balance_of(
    rpc: NodeRpc, contract: str | None, address: str, block: str = "latest"
) -> int:
    """`address`'s balance of the token at `contract` (None: of the chain's coin) at
    `block` (a hex number, or "latest"), in chain units."""
    if contract is None:
        return _quantity(await rpc.call("eth_getBalance", address, block))
    data = _BALANCE_OF + address.lower().removeprefix("0x").rjust(64, "0")
    answer = await rpc.call("eth_call", {"to": contract, "data": data}, block)
    return _quantity(answer or "0x0")


async def balances_of(
    rpc: NodeRpc, asset: ChainAsset, addresses: Sequence[str], block: str = "latest"
) -> list[int]:
    """The balances of many addresses, a few queries at a time."""
    limit = asyncio.Semaphore(_CONCURRENT_QUERIES)

    async def one(address: str) -> int:
        async with limit:
            return await balance_of(rpc, asset.contract, address, block)

    return list(await asyncio.gather(*(one(address) for address in addresses)))


async def chain_holdings(
    rpc: NodeRpc,
    assets: Sequence[ChainAsset],
    deposit_addresses: Sequence[str],
    hot: Address,
    cold: Address | None,
    liabilities: Mapping[str, int],
) -> list[Holdings]:
    """Each asset's holdings, read from the node now."""
    found = []
    for asset in assets:
        deposit = sum(await balances_of(rpc, asset, deposit_addresses))
        hot_balance = await balance_of(rpc, asset.contract, hot.hex)
        cold_balance = None if cold is None else await balance_of(rpc, asset.contract, cold.hex)
        found.append(
            Holdings(asset.asset, asset.chain_decimals, asset.ledger_precision, deposit,
                     hot_balance, cold_balance, liabilities.get(asset.asset, 0))
        )  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class HeldAt:
    """One address's balance of one asset on chain: the proof of reserves states these."""

    address: str
    role: str  # "hot", "cold" or "deposit"
    units: int  # chain units


@dataclass(frozen=True, slots=True)
class ChainReserves:
    """Every address of ours that holds something, per asset, all read at one block."""

    block: int
    held: dict[str, list[HeldAt]]


async def chain_reserves(
    rpc: NodeRpc,
    assets: Sequence[ChainAsset],
    deposit_addresses: Sequence[str],
    hot: Address,
    cold: Address | None,
) -> ChainReserves:
    """Per asset: the hot wallet and the cold address (always, even when empty: they are
    the reserves' main addresses) and every deposit address holding some, at one block so
    that a transfer between two of them is counted once."""
    block = _quantity(await rpc.call("eth_blockNumber"))
    at = hex(block)
    held: dict[str, list[HeldAt]] = {}
    for asset in assets:
        rows = [HeldAt(str(hot), "hot", await balance_of(rpc, asset.contract, hot.hex, at))]
        if cold is not None:
            cold_units = await balance_of(rpc, asset.contract, cold.hex, at)
            rows.append(HeldAt(str(cold), "cold", cold_units))
        balances = await balances_of(rpc, asset, deposit_addresses, at)
        rows += [
            HeldAt(str(Address(bytes.fromhex(address.removeprefix("0x")))), "deposit", units)
            for address, units in zip(deposit_addresses, balances, strict=True)
            if units
        ]
        held[asset.asset] = rows
    return ChainReserves(block, held)


def _quantity(value: object) -> int:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"the node answered {value!r} for a balance")
    return int(value, 16) if value != "0x" else 0

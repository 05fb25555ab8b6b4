"""Binance's wallet endpoints (`/sapi/v1/capital/...`) over custody, so that unmodified ccxt
and python-binance deposit and withdraw here.

    GET    /sapi/v1/capital/config/getall         USER_DATA  every asset, its network
    GET    /sapi/v1/capital/deposit/address       USER_DATA  the account's deposit address
    GET    /sapi/v1/capital/deposit/hisrec        USER_DATA  deposits, pending ones too
    POST   /sapi/v1/capital/withdraw/apply        WITHDRAW   a withdrawal: {"id": ...}
    GET    /sapi/v1/capital/withdraw/history      USER_DATA  withdrawals and their status
    GET    /sapi/v1/capital/withdraw/address/list USER_DATA  the address book
  Assetport's own (docs/binance-api.md, "Wallet"):
    POST   /sapi/v1/capital/withdraw/address      WITHDRAW   add an address to the book
    DELETE /sapi/v1/capital/withdraw/address      WITHDRAW   remove one
    POST   /sapi/v1/capital/withdraw/cancel       WITHDRAW   cancel one not yet signed
    POST   /sapi/v1/sandbox/chain-faucet          USER_DATA  sandbox: test funds on chain

Amounts are decimal strings at the asset's ledger precision, never floats. A withdrawal
from a web session (the page, no API key) needs the account's two-factor code as `totp`
when the account has it on; an API key needs the withdraw permission, which only a key with
an IP allowlist can have. A chain node that is down changes nothing here but `busy` in
getall: deposit addresses are derived locally, and a withdrawal is queued (its funds held
by the engine) until the sender reaches the node again.
"""

import logging
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from assetport.api import errors
from assetport.api.errors import ApiError, RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.api.params import decimal_to_units
from assetport.chain.addresses import Address, InvalidAddress, parse_address, to_bech32
from assetport.custody.config import CustodyAsset
from assetport.custody.deposit_store import Deposit, DepositStatus
from assetport.custody.service import Custody, CustodyRefused
from assetport.domain.commands import CancelWithdrawal
from assetport.domain.custody import (
    BINANCE_STATUS,
    MAX_ID_CHARS,
    MAX_LABEL_CHARS,
    BinanceWithdrawStatus,
    WithdrawalStatus,
)
from assetport.domain.events import refusal
from assetport.domain.results import RejectReason
from assetport.store.history import CUSTODY_WINDOW_MS, Refusal, WithdrawalRecord

log = logging.getLogger(__name__)

LEGAL_MONEY: Final = frozenset({"KRW"})
MAX_ID_LIST: Final = 45  # Binance's most ids in `idList`
MAX_HISTORY: Final = 1000
FAUCET_INTERVAL_MS: Final = 60_000
# Binance's deposit statuses. BELOW_MINIMUM is shown as 7, Binance's "wrong deposit": the
# closest it has for a transfer that arrived and will never be credited. A pending deposit
# that vanished in a reorganization is not shown at all: it never happened on the chain.
DEPOSIT_PENDING: Final = 0
DEPOSIT_SUCCESS: Final = 1
DEPOSIT_WRONG: Final = 7
_DEPOSIT_STATUS: Final = {
    DepositStatus.PENDING: DEPOSIT_PENDING,
    DepositStatus.CREDITED: DEPOSIT_SUCCESS,
    DepositStatus.BELOW_MINIMUM: DEPOSIT_WRONG,
}
# A withdrawal whose funds are still held: what getall reports as `withdrawing`.
_IN_FLIGHT: Final = (
    WithdrawalStatus.AWAITING_APPROVAL,
    WithdrawalStatus.APPROVED,
    WithdrawalStatus.PROCESSING,
)


_SIGNED: Final = (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))
_WINDOW: Final = (
    ParamDoc("startTime", "integer"),
    ParamDoc("endTime", "integer"),
    ParamDoc("offset", "integer"),
    ParamDoc("limit", "integer"),
)
_TOTP: Final = ParamDoc("totp", description="a web session's two-factor code, when it is on")


class SecondFactor(Protocol):
    """The account's second factor, as a withdrawal from a web session asks for it
    (accounts/second_factor.py implements it over the accounts' TOTP)."""

    def required(self, account: int) -> bool: ...

    def verify(self, account: int, code: str, now_ms: int) -> bool: ...


def capital_endpoints(
    custody: Custody, second_factor: SecondFactor | None = None
) -> list[Endpoint]:
    """The wallet endpoints over `custody`; the faucet only in the sandbox."""
    capital = _Capital(custody, second_factor)
    endpoints = [
        Endpoint("GET", "/sapi/v1/capital/config/getall", capital.getall, Security.USER_DATA,
                 "All coins' information: balances and the network each is on", _SIGNED),
        Endpoint("GET", "/sapi/v1/capital/deposit/address", capital.deposit_address,
                 Security.USER_DATA, "The account's deposit address (0x and bech32)",
                 (ParamDoc("coin", required=True), ParamDoc("network"), *_SIGNED)),
        Endpoint("GET", "/sapi/v1/capital/deposit/hisrec", capital.deposit_history,
                 Security.USER_DATA, "Deposits, pending ones with their confirmations",
                 (ParamDoc("coin"), ParamDoc("status", "integer"), *_WINDOW,
                  ParamDoc("txId"), *_SIGNED)),
        Endpoint("POST", "/sapi/v1/capital/withdraw/apply", capital.withdraw,
                 Security.WITHDRAW, "Withdraw to an address in the address book",
                 (ParamDoc("coin", required=True), ParamDoc("network"),
                  ParamDoc("address", required=True), ParamDoc("amount", required=True),
                  ParamDoc("withdrawOrderId"), ParamDoc("addressTag"),
                  ParamDoc("transactionFeeFlag"), ParamDoc("name"),
                  ParamDoc("walletType", "integer"), _TOTP, *_SIGNED)),
        Endpoint("GET", "/sapi/v1/capital/withdraw/history", capital.withdraw_history,
                 Security.USER_DATA, "Withdrawals and their status, newest first",
                 (ParamDoc("coin"), ParamDoc("withdrawOrderId"), ParamDoc("status", "integer"),
                  ParamDoc("idList"), *_WINDOW, *_SIGNED)),
        Endpoint("GET", "/sapi/v1/capital/withdraw/address/list", capital.address_list,
                 Security.USER_DATA, "The withdrawal address book", _SIGNED),
        Endpoint("POST", "/sapi/v1/capital/withdraw/address", capital.add_address,
                 Security.WITHDRAW, "Assetport: add an address to the withdrawal address book",
                 (ParamDoc("address", required=True), ParamDoc("name"), _TOTP, *_SIGNED)),
        Endpoint("DELETE", "/sapi/v1/capital/withdraw/address", capital.remove_address,
                 Security.WITHDRAW, "Assetport: remove an address from the address book",
                 (ParamDoc("address", required=True), _TOTP, *_SIGNED)),
        Endpoint("POST", "/sapi/v1/capital/withdraw/cancel", capital.cancel,
                 Security.WITHDRAW, "Assetport: cancel a withdrawal not yet signed",
                 (ParamDoc("id", required=True), *_SIGNED)),
    ]  # fmt: skip
    if custody.sandbox:
        endpoints.append(
            Endpoint("POST", "/sapi/v1/sandbox/chain-faucet", capital.faucet, Security.USER_DATA,
                     "Sandbox: test funds sent on chain to the account's deposit address",
                     (ParamDoc("coin", required=True), *_SIGNED))
        )  # fmt: skip
    return endpoints


class _Capital:
    """The handlers, over one chain's custody."""

    def __init__(self, custody: Custody, second_factor: SecondFactor | None) -> None:
        self.custody = custody
        self.second_factor = second_factor
        self.network = custody.config.network
        self._faucet_given: dict[tuple[int, str], int] = {}

    # ------------------------------------------------------------------ reading

    async def getall(self, call: Call) -> Any:
        """GET /sapi/v1/capital/config/getall: every listed asset with the account's
        balance; the chain's network for those on it (ccxt's fetch_currencies reads it)."""
        call.params.ensure_all_read()
        markets = call.gateway.markets
        balances = {
            asset: (free, held)
            for _, asset, free, held in call.gateway.engine.balances(call.account)
        }
        withdrawing = await self._withdrawing(call)
        busy = self._busy()
        coins = []
        for coin in sorted(markets.precision):
            free, held = balances.get(coin, (0, 0))
            leaving = withdrawing.get(coin, 0)
            custody_asset = self.custody.config.asset(coin)
            networks = [] if custody_asset is None else [self._network(call, custody_asset, busy)]
            coins.append(
                {
                    "coin": coin,
                    "name": coin,
                    "free": markets.amount(coin, free),
                    # What orders hold; the rest of what is held is leaving in withdrawals.
                    "locked": markets.amount(coin, max(0, held - leaving)),
                    "freeze": markets.amount(coin, 0),
                    "withdrawing": markets.amount(coin, leaving),
                    "ipoable": markets.amount(coin, 0),
                    "ipoing": markets.amount(coin, 0),
                    "storage": markets.amount(coin, 0),
                    "isLegalMoney": coin in LEGAL_MONEY,
                    "trading": True,
                    "depositAllEnable": bool(networks),
                    "withdrawAllEnable": any(n["withdrawEnable"] for n in networks),
                    "networkList": networks,
                }
            )
        return coins

    def _network(self, call: Call, asset: CustodyAsset, busy: bool) -> dict[str, Any]:
        markets = call.gateway.markets
        coin = asset.chain.asset
        rules = asset.rules
        prefix = self.custody.config.bech32_prefix
        contract = asset.chain.contract
        return {
            "network": self.network,
            "coin": coin,
            "name": self.custody.config.name,
            "isDefault": True,
            "depositEnable": True,
            "withdrawEnable": rules.enabled,
            "withdrawFee": markets.amount(coin, rules.fee),
            "withdrawMin": markets.amount(coin, rules.minimum),
            # No single withdrawal may pass the 24-hour limit.
            "withdrawMax": markets.amount(coin, rules.daily_limit),
            "withdrawIntegerMultiple": markets.amount(coin, 1),
            "minConfirm": asset.chain.confirmations,
            "unLockConfirm": asset.chain.confirmations,
            "addressRegex": f"^(0x[0-9a-fA-F]{{40}}|{prefix}1[02-9ac-hj-np-z]{{38}})$",
            "addressRule": "",
            "memoRegex": "",
            "withdrawTag": False,
            "depositDesc": "",
            "withdrawDesc": "" if rules.enabled else "Withdrawals are closed.",
            "specialTips": "",
            "busy": busy,
            "sameAddress": False,
            "resetAddressStatus": False,
            "contractAddress": "" if contract is None else _checksum(contract),
            "contractAddressUrl": "",
            "depositDust": markets.amount(coin, asset.chain.min_deposit),
        }

    def _busy(self) -> bool:
        """The node is down for the watcher or the sender: deposits and withdrawals wait."""
        watcher, sender = self.custody.watcher, self.custody.sender
        if watcher is None or sender is None:  # not connected to the node yet
            return True
        return watcher.status().get("state") == "down" or sender.status().get("up") is False

    async def _withdrawing(self, call: Call) -> dict[str, int]:
        """Per asset, the amounts and fees held by withdrawals still under way."""
        account, now = call.account, call.now_ms
        try:
            records = await call.gateway.from_history(
                lambda history: history.withdrawals(account, now, statuses=_IN_FLIGHT)
            )
        except ApiError:  # no SQL read model: nothing to tell apart from orders
            return {}
        leaving: dict[str, int] = {}
        for record in records:
            leaving[record.asset] = leaving.get(record.asset, 0) + record.amount + record.fee
        return leaving

    async def deposit_address(self, call: Call) -> Any:
        """GET /sapi/v1/capital/deposit/address: the same address for every coin of the
        chain, always the same for the account (derived here: no node needed)."""
        coin = self._coin(call)
        call.params.ensure_all_read()
        address = self.custody.deposit_address(call.account)
        return {
            "address": address.address,
            "coin": coin,
            "tag": "",
            "url": "",
            "addressBech32": address.bech32,
        }

    async def deposit_history(self, call: Call) -> Any:
        """GET /sapi/v1/capital/deposit/hisrec: from the watcher's own record, so a deposit
        shows while it waits for its confirmations, newest first."""
        params = call.params
        coin = params.optional_string("coin")
        status = params.optional_integer("status")
        start, end = _window(call)
        offset, limit = _page(call)
        tx_id = params.optional_string("txId")
        params.ensure_all_read()
        markets = call.gateway.markets
        found = []
        for deposit in self.custody.deposit_history(call.account):
            shown = _DEPOSIT_STATUS.get(deposit.status)
            if shown is None or deposit.asset not in markets.precision:
                continue
            if coin is not None and deposit.asset != coin:
                continue
            if status is not None and shown != status:
                continue
            if tx_id is not None and deposit.tx_hash.lower() != tx_id.lower():
                continue
            if not start <= deposit.seen_at_ms <= end:
                continue
            found.append(self._deposit_json(call, deposit, shown))
        return found[offset : offset + limit]

    def _deposit_json(self, call: Call, deposit: Deposit, status: int) -> dict[str, Any]:
        custody_asset = self.custody.config.asset(deposit.asset)
        needed = custody_asset.chain.confirmations if custody_asset is not None else 1
        shown = {
            "id": _deposit_id(deposit),
            "amount": call.gateway.markets.amount(deposit.asset, deposit.amount),
            "coin": deposit.asset,
            "network": deposit.network,
            "status": status,
            "address": deposit.address,
            "addressTag": "",
            "txId": deposit.tx_hash,
            "insertTime": deposit.seen_at_ms,
            "transferType": 0,
            "confirmTimes": f"{min(deposit.confirmations, needed)}/{needed}",
            "unlockConfirm": needed,
            "walletType": 0,
        }
        if deposit.credited_at_ms is not None:
            shown["completeTime"] = deposit.credited_at_ms
        return shown

    async def withdraw_history(self, call: Call) -> Any:
        """GET /sapi/v1/capital/withdraw/history: from the SQL read model, newest first."""
        params = call.params
        coin = params.optional_string("coin")
        client_ref = params.optional_string("withdrawOrderId")
        status = params.optional_integer("status")
        ids_text = params.optional_string("idList")
        start = params.optional_integer("startTime")
        end = params.optional_integer("endTime")
        offset, limit = _page(call)
        params.ensure_all_read()
        ids = None if ids_text is None else [i.strip() for i in ids_text.split(",") if i.strip()]
        if ids is not None and len(ids) > MAX_ID_LIST:
            raise errors.TOO_MANY_IDS.error()
        statuses = None if status is None else _statuses(status)
        account, now = call.account, call.now_ms
        records = await call.gateway.from_history(
            lambda history: history.withdrawals(
                account, now, asset=coin, statuses=statuses, start_ms=start, end_ms=end,
                offset=offset, limit=limit, withdrawal_ids=ids, client_ref=client_ref,
            )
        )  # fmt: skip
        return [self._withdrawal_json(call, record) for record in records]

    def _withdrawal_json(self, call: Call, record: WithdrawalRecord) -> dict[str, Any]:
        markets = call.gateway.markets
        custody_asset = self.custody.config.asset(record.asset)
        done = record.status is WithdrawalStatus.COMPLETED
        shown: dict[str, Any] = {
            "id": record.withdrawal_id,
            "amount": markets.amount(record.asset, record.amount),
            "transactionFee": markets.amount(record.asset, record.fee),
            "coin": record.asset,
            "status": int(BINANCE_STATUS[record.status]),
            "address": _checksum(record.address),
            "txId": record.tx_hash,
            "applyTime": _binance_time(record.requested_us),
            "network": record.network,
            "transferType": 0,
            "info": record.reason,
            # The confirmations the sender waited for once it completed (not counted after).
            "confirmNo": custody_asset.chain.confirmations if done and custody_asset else 0,
            "walletType": 0,
            "txKey": "",
        }
        if record.client_ref:  # Binance leaves the field out when none was given
            shown["withdrawOrderId"] = record.client_ref
        if record.completed_us is not None:
            shown["completeTime"] = _binance_time(record.completed_us)
        return shown

    async def address_list(self, call: Call) -> Any:
        """GET /sapi/v1/capital/withdraw/address/list: Binance's list has a row per coin;
        Assetport's book is per network (every coin of the chain goes to its addresses), so
        `coin` is empty; `usableFrom` says when the cooldown of a new address ends."""
        call.params.ensure_all_read()
        account = call.account
        rows = await call.gateway.from_history(
            lambda history: history.withdrawal_addresses(account)
        )
        prefix = self.custody.config.bech32_prefix
        shown = []
        for row in rows:
            address = parse_address(row.address, prefix)
            shown.append(
                {
                    "address": str(address),
                    "addressBech32": to_bech32(address, prefix),
                    "addressTag": "",
                    "coin": "",
                    "name": row.label,
                    "network": row.network,
                    "origin": "",
                    "originType": "others",
                    "whiteStatus": row.usable_from_us // 1000 <= call.now_ms,
                    "usableFrom": row.usable_from_us // 1000,
                }
            )
        return shown

    # ------------------------------------------------------------------ moving money

    async def withdraw(self, call: Call) -> Any:
        """POST /sapi/v1/capital/withdraw/apply: the amount and fee held, then checked,
        approved when large, signed and sent by the sender. `name` puts the address in the
        book first, as Binance does (its cooldown still applies)."""
        params = call.params
        coin = self._coin(call)
        custody_asset = self.custody.config.asset(coin)
        assert custody_asset is not None  # _coin refuses a coin not on the chain
        text = params.string("address")
        amount_text = params.string("amount")
        client_ref = params.optional_string("withdrawOrderId") or ""
        tag = params.optional_string("addressTag")
        fee_flag = params.optional_string("transactionFeeFlag")
        label = params.optional_string("name")
        wallet = params.optional_integer("walletType")
        self._check_second_factor(call)
        params.ensure_all_read()
        if len(client_ref) > MAX_ID_CHARS:
            raise errors.invalid_parameter("withdrawOrderId")
        if tag is not None:  # an EVM chain has no memo
            raise errors.invalid_parameter("addressTag")
        if fee_flag not in (None, "true", "false"):
            raise errors.invalid_parameter("transactionFeeFlag")
        if wallet not in (None, 0):  # only the spot wallet exists here
            raise errors.invalid_parameter("walletType")
        amount = decimal_to_units("amount", amount_text, custody_asset.chain.ledger_precision)
        if amount <= 0:
            raise errors.invalid_parameter("amount")
        self._parse(text)
        try:
            if label is not None:
                await self._add(call.account, text, _label(label), keep_existing=True)
            withdrawal_id = await self.custody.request_withdrawal(
                call.account, coin, text, amount, client_ref
            )
        except CustodyRefused as exc:
            raise reject_error(exc.reason, RejectContext.WITHDRAW) from exc
        return {"id": withdrawal_id}

    async def add_address(self, call: Call) -> Any:
        """POST /sapi/v1/capital/withdraw/address (Assetport): usable after the cooldown."""
        params = call.params
        text = params.string("address")
        label = _label(params.optional_string("name") or "")
        self._check_second_factor(call)
        params.ensure_all_read()
        address = self._parse(text)
        prefix = self.custody.config.bech32_prefix
        try:
            await self._add(call.account, text, label, keep_existing=False)
        except CustodyRefused as exc:
            raise reject_error(exc.reason, RejectContext.WITHDRAW) from exc
        return {
            "address": str(address),
            "addressBech32": to_bech32(address, prefix),
            "network": self.network,
            "name": label,
        }

    async def remove_address(self, call: Call) -> Any:
        """DELETE /sapi/v1/capital/withdraw/address (Assetport)."""
        text = call.params.string("address")
        self._check_second_factor(call)
        call.params.ensure_all_read()
        address = self._parse(text)
        try:
            await self.custody.remove_address(call.account, text)
        except CustodyRefused as exc:
            raise reject_error(exc.reason, RejectContext.WITHDRAW) from exc
        return {"address": str(address), "network": self.network}

    async def cancel(self, call: Call) -> Any:
        """POST /sapi/v1/capital/withdraw/cancel (Assetport): only a withdrawal not yet
        signed; its funds are released. Stopping money leaving needs no second factor."""
        withdrawal_id = call.params.string("id")
        call.params.ensure_all_read()
        if len(withdrawal_id) > MAX_ID_CHARS:
            raise errors.invalid_parameter("id")
        outcome = await call.gateway.execute(CancelWithdrawal(call.account, withdrawal_id))
        refused = refusal(outcome.events)
        if refused is not None:
            raise reject_error(refused.reason, RejectContext.WITHDRAW)
        return {"id": withdrawal_id}

    async def _add(self, account: int, text: str, label: str, *, keep_existing: bool) -> None:
        try:
            await self.custody.add_address(account, text, label)
        except CustodyRefused as exc:
            if not (keep_existing and exc.reason is RejectReason.ADDRESS_ALREADY_IN_BOOK):
                raise

    # ------------------------------------------------------------------ sandbox

    async def faucet(self, call: Call) -> Any:
        """POST /sapi/v1/sandbox/chain-faucet: test funds from the embedded chain's faucet
        to the account's deposit address; they then arrive as any deposit does. Once a
        minute per coin and account, so one learner cannot fill the chain."""
        coin = self._coin(call)
        call.params.ensure_all_read()
        key = (call.account, coin)
        now = call.now_ms
        self._forget_old_gifts(now)
        last = self._faucet_given.get(key)
        if last is not None and now - last < FAUCET_INTERVAL_MS:
            raise errors.CHAIN_FAUCET_ALREADY_GIVEN.error()
        self._faucet_given[key] = now  # before sending: two requests at once send once
        try:
            tx_hash = await self.custody.faucet(call.account, coin)
        except Exception as exc:
            del self._faucet_given[key]
            log.warning("chain faucet failed for %s: %s", coin, type(exc).__name__)
            raise errors.CHAIN_UNAVAILABLE.error() from exc
        return {"txId": tx_hash}

    def _forget_old_gifts(self, now_ms: int) -> None:
        old = [k for k, at in self._faucet_given.items() if now_ms - at >= FAUCET_INTERVAL_MS]
        for k in old:
            del self._faucet_given[k]

    # ------------------------------------------------------------------ checks

    def _coin(self, call: Call) -> str:
        """`coin` (listed and on the chain) and `network` (absent or the chain's)."""
        coin = call.params.string("coin")
        network = call.params.optional_string("network")
        if coin not in call.gateway.markets.precision:
            raise errors.UNKNOWN_COIN.error()
        if self.custody.config.asset(coin) is None:
            raise errors.not_on_chain(coin, self.network)
        if network is not None and network != self.network:
            raise errors.unknown_network(self.network)
        return coin

    def _parse(self, text: str) -> Address:
        try:
            return self.custody.parse_address(text)
        except InvalidAddress as exc:
            raise errors.illegal_address(exc.reason) from exc

    def _check_second_factor(self, call: Call) -> None:
        check_second_factor(self.second_factor, call)


def check_second_factor(second_factor: SecondFactor | None, call: Call) -> None:
    """A web session's request (no API key) carries the account's current TOTP code when
    the account has two-factor on: a stolen session cookie alone moves no money (nor any
    item). Without a `SecondFactor` to ask, sessions are refused here (-1002)."""
    if call.key is not None:
        return
    if second_factor is None:  # no way to ask for it: web sessions move no money
        raise errors.UNAUTHORIZED.error()
    code = call.params.optional_string("totp")
    if not second_factor.required(call.account):
        return
    if code is None:
        raise errors.TOTP_REQUIRED.error()
    if not second_factor.verify(call.account, code, call.now_ms):
        raise errors.TOTP_INVALID.error()


def _window(call: Call) -> tuple[int, int]:
    """[startTime, endTime] in ms, as the store's custody windows: at most 90 days, the
    start 90 days before now and the end now when not given."""
    start_ms = call.params.optional_integer("startTime")
    end_ms = call.params.optional_integer("endTime")
    start = call.now_ms - CUSTODY_WINDOW_MS if start_ms is None else start_ms
    end = call.now_ms if end_ms is None else end_ms
    if end - start > CUSTODY_WINDOW_MS:
        raise errors.history_error(Refusal.WINDOW_OVER_90_DAYS)
    return start, end


def _page(call: Call) -> tuple[int, int]:
    offset = call.params.optional_integer("offset") or 0
    limit = call.params.optional_integer("limit")
    return offset, MAX_HISTORY if limit is None else max(1, min(MAX_HISTORY, limit))


def _statuses(status: int) -> Collection[WithdrawalStatus]:
    """The statuses one Binance status stands for (PROCESSING is two here); none for a
    status Assetport never has (0, email sent)."""
    try:
        wanted = BinanceWithdrawStatus(status)
    except ValueError:
        raise errors.invalid_parameter("status") from None
    return [ours for ours, theirs in BINANCE_STATUS.items() if theirs is wanted]


def _label(text: str) -> str:
    if len(text) > MAX_LABEL_CHARS or not text.isprintable():
        raise errors.invalid_parameter("name")
    return text


def _deposit_id(deposit: Deposit) -> str:
    """A deposit's id, stable across restarts: its transaction, and its log for a token."""
    if deposit.log_index < 0:
        return deposit.tx_hash
    return f"{deposit.tx_hash}:{deposit.log_index}"


def _checksum(address: str) -> str:
    """An address the stores keep in lowercase hex, as users read it (EIP-55)."""
    try:
        return str(Address(bytes.fromhex(address.removeprefix("0x"))))
    except ValueError:
        return address


def _binance_time(time_us: int) -> str:
    """Binance's wallet times: "YYYY-MM-DD HH:MM:SS" in UTC."""
    return datetime.fromtimestamp(time_us // 1_000_000, UTC).strftime("%Y-%m-%d %H:%M:%S")

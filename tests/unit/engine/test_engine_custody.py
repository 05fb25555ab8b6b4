"""Custody in the engine (`engine/custody/`): deposits credited once from the chain, and
withdrawals as a lifecycle over held funds: address book and cooldown, minimum, daily limit,
approval by N distinct operators, risk hold, signing recorded before broadcast, completion
paying the amount out and the fee to the fee account, or an end that releases everything.

BTC has 8 decimals; the rules below: fee 0.0005, minimum 0.001, 2 BTC a day, approval above
1 BTC, two operators, a 24-hour cooldown on new addresses. The harness checks after every
command that the ledger sums to zero and the products' holds are the ledger's."""

from engine_harness import ALICE, BOB, Exchange, fingerprint, of_type, rejection, units

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT
from assetport.domain.commands import (
    AddWithdrawalAddress,
    ApproveWithdrawal,
    CancelWithdrawal,
    CompleteWithdrawal,
    CreditDeposit,
    FailWithdrawal,
    RecordWithdrawalSigned,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRiskHold,
    SetWithdrawalRules,
)
from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus
from assetport.domain.events import (
    DepositCredited,
    WithdrawalAddressAdded,
    WithdrawalApproved,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    WithdrawalSigned,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

NET = "ETH"
ADDRESS = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20
HOUR_US = 3_600 * 1_000_000
S = WithdrawalStatus


def btc(amount: str) -> int:
    return units(amount, 8)


def custody(cooldown_hours: int = 24) -> Exchange:
    """Rules set; Alice has 3 BTC credited from the chain and one address past its cooldown."""
    ex = Exchange()
    rules = WithdrawalRules("BTC", NET, btc("0.0005"), btc("0.001"), btc("2"), btc("1"))
    ex.do(SetWithdrawalRules(rules))
    ex.do(SetCustodyPolicy(CustodyPolicy(cooldown_hours * 3_600_000, 2)))
    ex.do(CreditDeposit(ALICE, "BTC", btc("3"), NET, "0xd1", 0, "0xdeposit"))
    ex.do(AddWithdrawalAddress(ALICE, NET, ADDRESS, "my wallet"))
    ex.time += cooldown_hours * HOUR_US
    return ex


def request(ex: Exchange, amount: str, wid: str = "w1", address: str = ADDRESS) -> list:  # type: ignore[type-arg]
    return ex.do(RequestWithdrawal(ALICE, "BTC", NET, address, btc(amount), wid))


def test_a_deposit_is_credited_once_by_its_chain_key() -> None:
    ex = Exchange()
    credit = CreditDeposit(ALICE, "BTC", btc("1.5"), NET, "0xabc", 3, "0xdeposit")
    [event] = ex.do(credit)
    assert isinstance(event, DepositCredited) and event.amount == btc("1.5")
    assert ex.balance(ALICE, "BTC") == (btc("1.5"), 0)
    assert ex.balance(EXTERNAL_ACCOUNT, "BTC") == (-btc("1.5"), 0)
    # The watcher sends it again after a restart: nothing changes, and it says so.
    assert rejection(ex.do(credit)) is RejectReason.ALREADY_APPLIED
    # The same chain key for another deposit is a bug upstream: refused.
    changed = CreditDeposit(BOB, "BTC", btc("1.5"), NET, "0xabc", 3, "0xdeposit")
    assert rejection(ex.do(changed)) is RejectReason.REFERENCE_REUSED
    # Another log of the same transaction is another deposit.
    ex.do(CreditDeposit(ALICE, "BTC", btc("0.5"), NET, "0xabc", 4, "0xdeposit"))
    assert ex.balance(ALICE, "BTC") == (btc("2"), 0)


def test_bad_deposits_change_nothing() -> None:
    ex = Exchange()
    before = fingerprint(ex.engine)
    for bad, reason in [
        (CreditDeposit(ALICE, "NOPE", 1, NET, "0x1", 0, "a"), RejectReason.UNKNOWN_ASSET),
        (CreditDeposit(ALICE, "BTC", 0, NET, "0x1", 0, "a"), RejectReason.INVALID_AMOUNT),
        (CreditDeposit(FEE_ACCOUNT, "BTC", 1, NET, "0x1", 0, "a"), RejectReason.INVALID_ACCOUNT),
        (CreditDeposit(ALICE, "BTC", 1, "", "0x1", 0, "a"), RejectReason.INVALID_CUSTODY_INPUT),
        (CreditDeposit(ALICE, "BTC", 1, NET, "0x1", -2, "a"), RejectReason.INVALID_CUSTODY_INPUT),
        (CreditDeposit(ALICE, "BTC", 2**62, NET, "0x1", 0, "a"), RejectReason.AMOUNT_TOO_LARGE),
    ]:
        assert rejection(ex.do(bad)) is reason
    assert fingerprint(ex.engine) == before


def test_a_small_withdrawal_holds_its_amount_and_fee_and_completes() -> None:
    ex = custody()
    [event] = request(ex, "0.5")
    assert isinstance(event, WithdrawalRequested)
    assert (event.status, event.fee) == (S.APPROVED, btc("0.0005"))
    assert ex.balance(ALICE, "BTC") == (btc("2.4995"), btc("0.5005"))
    assert ex.engine.holds() == [Hold(ALICE, "BTC", HoldPurpose.WITHDRAWAL, btc("0.5005"))]

    [signed] = ex.do(RecordWithdrawalSigned("w1", "0xfeed", 7, "0xhot"))
    assert isinstance(signed, WithdrawalSigned) and signed.nonce == 7
    # The sender asks again after a crash: recorded already; another transaction: refused.
    again = ex.do(RecordWithdrawalSigned("w1", "0xfeed", 7, "0xhot"))
    assert rejection(again) is RejectReason.ALREADY_APPLIED
    other = ex.do(RecordWithdrawalSigned("w1", "0xbeef", 8, "0xhot"))
    assert rejection(other) is RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW
    # Signed: it may have left, so neither its owner nor an operator can take it back.
    cancelled = ex.do(CancelWithdrawal(ALICE, "w1"))
    rejected = ex.do(RejectWithdrawal("w1", "op1", "too late"))
    assert rejection(cancelled) is rejection(rejected) is RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW
    # Only the transaction that was signed completes it.
    wrong = ex.do(CompleteWithdrawal("w1", "0xother", 100))
    assert rejection(wrong) is RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW

    [done] = ex.do(CompleteWithdrawal("w1", "0xfeed", 100))
    assert isinstance(done, WithdrawalCompleted)
    assert ex.balance(ALICE, "BTC") == (btc("2.4995"), 0)
    assert ex.balance(FEE_ACCOUNT, "BTC") == (btc("0.0005"), 0)
    assert ex.balance(EXTERNAL_ACCOUNT, "BTC") == (-btc("3") + btc("0.5"), 0)
    assert ex.engine.holds() == []
    again = ex.do(CompleteWithdrawal("w1", "0xfeed", 100))
    assert rejection(again) is RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW


def test_an_address_must_be_in_the_book_and_past_its_cooldown() -> None:
    ex = custody()
    assert rejection(request(ex, "0.1", address=OTHER)) is RejectReason.ADDRESS_NOT_IN_BOOK
    [added] = ex.do(AddWithdrawalAddress(ALICE, NET, OTHER, "new"))
    assert isinstance(added, WithdrawalAddressAdded)
    assert added.usable_from == added.time + 24 * HOUR_US
    assert rejection(request(ex, "0.1", address=OTHER)) is RejectReason.ADDRESS_IN_COOLDOWN
    ex.time += 24 * HOUR_US
    assert of_type(request(ex, "0.1", address=OTHER), WithdrawalRequested)
    same = ex.do(AddWithdrawalAddress(ALICE, NET, OTHER, "again"))
    assert rejection(same) is RejectReason.ADDRESS_ALREADY_IN_BOOK
    ex.do(RemoveWithdrawalAddress(ALICE, NET, OTHER))
    assert rejection(request(ex, "0.1", "w2", OTHER)) is RejectReason.ADDRESS_NOT_IN_BOOK
    # Bob's book is his own.
    ex.do(CreditDeposit(BOB, "BTC", btc("1"), NET, "0xd2", 0, "0xdeposit2"))
    bobs = ex.do(RequestWithdrawal(BOB, "BTC", NET, ADDRESS, btc("0.1"), "w3"))
    assert rejection(bobs) is RejectReason.ADDRESS_NOT_IN_BOOK


def test_minimum_rules_balance_and_the_daily_limit() -> None:
    ex = custody()
    before = fingerprint(ex.engine)
    assert rejection(request(ex, "0.0009")) is RejectReason.BELOW_MINIMUM
    assert rejection(request(ex, "0")) is RejectReason.INVALID_AMOUNT
    closed = ex.do(RequestWithdrawal(ALICE, "KGLD", NET, ADDRESS, 10, "w9"))
    assert rejection(closed) is RejectReason.WITHDRAWALS_CLOSED
    assert fingerprint(ex.engine) == before
    # 2 BTC a day: 0.9 + 0.9 pass, 0.3 more does not; a cancelled one gives its share back.
    assert of_type(request(ex, "0.9", "a"), WithdrawalRequested)
    assert of_type(request(ex, "0.9", "b"), WithdrawalRequested)
    assert rejection(request(ex, "0.3", "c")) is RejectReason.DAILY_LIMIT
    ex.do(CancelWithdrawal(ALICE, "b"))
    assert of_type(request(ex, "0.3", "c"), WithdrawalRequested)
    # 24 hours later the window has moved on; the balance is what stops her now.
    ex.time += 24 * HOUR_US
    assert rejection(request(ex, "1.8", "d")) is RejectReason.INSUFFICIENT_BALANCE
    assert rejection(request(ex, "0.3", "a")) is RejectReason.ALREADY_APPLIED


def test_a_large_withdrawal_waits_for_two_distinct_operators() -> None:
    ex = custody()
    [event] = request(ex, "1.5")
    assert isinstance(event, WithdrawalRequested) and event.status is S.AWAITING_APPROVAL
    signing = ex.do(RecordWithdrawalSigned("w1", "0xfeed", 0, "0xhot"))
    assert rejection(signing) is RejectReason.WITHDRAWAL_NOT_ALLOWED_NOW
    [first] = ex.do(ApproveWithdrawal("w1", "op1"))
    assert isinstance(first, WithdrawalApproved) and first.status is S.AWAITING_APPROVAL
    assert rejection(ex.do(ApproveWithdrawal("w1", "op1"))) is RejectReason.ALREADY_APPROVED
    [second] = ex.do(ApproveWithdrawal("w1", "op2"))
    assert isinstance(second, WithdrawalApproved)
    assert (second.approvals, second.status) == (2, S.APPROVED)
    assert of_type(ex.do(RecordWithdrawalSigned("w1", "0xfeed", 0, "0xhot")), WithdrawalSigned)


def test_a_rejected_cancelled_or_failed_withdrawal_releases_everything() -> None:
    ex = custody()
    request(ex, "1.5", "big")
    request(ex, "0.1", "small")
    request(ex, "0.2", "chain")
    [rejected] = ex.do(RejectWithdrawal("big", "op1", "unusual for this account"))
    assert isinstance(rejected, WithdrawalEnded)
    assert (rejected.status, rejected.released) == (S.REJECTED, btc("1.5005"))
    [cancelled] = ex.do(CancelWithdrawal(ALICE, "small"))
    assert isinstance(cancelled, WithdrawalEnded) and cancelled.status is S.CANCELLED
    assert rejection(ex.do(CancelWithdrawal(BOB, "chain"))) is RejectReason.UNKNOWN_WITHDRAWAL
    ex.do(RecordWithdrawalSigned("chain", "0xbad", 3, "0xhot"))
    [failed] = ex.do(FailWithdrawal("chain", "reverted on chain"))
    assert isinstance(failed, WithdrawalEnded) and failed.status is S.FAILED
    assert ex.balance(ALICE, "BTC") == (btc("3"), 0)
    assert ex.engine.holds() == []


def test_a_risk_hold_sends_every_withdrawal_to_approval() -> None:
    ex = custody()
    ex.do(SetWithdrawalRiskHold(ALICE, True, "travel rule check"))
    [event] = request(ex, "0.1")
    assert isinstance(event, WithdrawalRequested) and event.status is S.AWAITING_APPROVAL
    ex.do(SetWithdrawalRiskHold(ALICE, False, ""))
    [event] = request(ex, "0.1", "w2")
    assert isinstance(event, WithdrawalRequested) and event.status is S.APPROVED


def test_custody_state_survives_a_snapshot_and_an_untouched_one_adds_nothing() -> None:
    untouched = Exchange()
    assert b"custody" not in untouched.engine.snapshot()
    ex = custody()
    request(ex, "1.5", "big")
    ex.do(ApproveWithdrawal("big", "op1"))
    request(ex, "0.1", "small")
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.state_hash() == ex.engine.state_hash()
    # The restored engine goes on as the first would: the second approval completes the
    # pair, the credited deposit is still known, the daily limit still counts.
    for engine in (ex.engine, restored):
        seq, time = ex.seq + 1, ex.time + 1000
        [approved] = engine.apply(seq, time, ApproveWithdrawal("big", "op2"))
        assert isinstance(approved, WithdrawalApproved) and approved.status is S.APPROVED
        credit = CreditDeposit(ALICE, "BTC", btc("3"), NET, "0xd1", 0, "0xdeposit")
        assert rejection(engine.apply(seq + 1, time, credit)) is RejectReason.ALREADY_APPLIED
        late = RequestWithdrawal(ALICE, "BTC", NET, ADDRESS, btc("0.5"), "late")
        assert rejection(engine.apply(seq + 2, time, late)) is RejectReason.DAILY_LIMIT
    assert restored.state_hash() == ex.engine.state_hash()

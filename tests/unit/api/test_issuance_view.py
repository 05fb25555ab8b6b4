"""The gateway's issuance view (`views/issuance.py`) agrees with the engine's read API: a
view that followed every event, one seeded half-way (as a gateway starting after a restart,
or over the command port) and the engine's own state are the same tokens, terms, reserves,
supplies, holder rules, identities and frozen holdings; what it tells a holder of the rules
agrees with what the engine then does; a Seed from a peer that knows nothing of issuance,
or of permissioned holding, still decodes."""

import sys
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from issuance_stream import ALICE, BAR, BOB, CARBON_ISSUER, START_US, Stream, issuance_stream

from assetport.domain.commands import (
    Deposit,
    FreezeHolding,
    SetAccountIdentity,
    SetHolderRules,
    TransferRwa,
    UnfreezeHolding,
    Withdraw,
)
from assetport.domain.events import CommandRejected
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import TransferKind
from assetport.runtime.port_server import read_state
from assetport.views.issuance import HolderProblem, Issuance, holder_problems
from assetport.views.seed import RwaSeed, Seed

CAROL = BOB + 1
DAY_US = 24 * 3600 * 1_000_000


def _permissioned(s: Stream) -> Stream:
    """After the year: the carbon token admits Korean and Japanese holders verified to
    level 2, at most 2 t each; Alice is verified, Bob is left at level 1, Carol lives in
    the US. 1 t of Alice's is frozen, then half of it released; one of Bob's too, all."""
    s.at(14, SetAccountIdentity(ALICE, AccountIdentity(2, "KR")))
    s.at(14, SetAccountIdentity(BOB, AccountIdentity(1, "KR")))
    s.at(14, SetAccountIdentity(CAROL, AccountIdentity(3, "US")))
    s.at(14, SetHolderRules(CARBON_ISSUER, HolderRules("CO2", 2, ("KR", "JP"), (), 0, 2_000)))
    s.at(15, FreezeHolding(CARBON_ISSUER, ALICE, "CO2", 1_000, "court order"))
    s.at(15, UnfreezeHolding(CARBON_ISSUER, ALICE, "CO2", 500, "partly lifted"))
    s.at(15, FreezeHolding(CARBON_ISSUER, BOB, "CO2", 1_000, "inquiry"))
    s.at(16, UnfreezeHolding(CARBON_ISSUER, BOB, "CO2", 0, "inquiry closed"))  # all of it
    return s


STREAM = _permissioned(issuance_stream())


def _state(view: Issuance) -> tuple[object, ...]:
    return (
        view.tokens(), view.terms, view.subscriptions, view.reserves, view.supplies,
        view.holder_rules, view.identities, view.frozen,
    )  # fmt: skip


def _seeded(stream: Stream) -> Issuance:
    """A view as a gateway starting now has it: from the engine's read API."""
    seed = read_state(stream.engine)
    view = Issuance()
    view.seed(seed.assets, seed.rwa)
    return view


def test_following_the_events_gives_the_engines_state() -> None:
    followed = Issuance()
    for _, _, _, events in STREAM.items:
        followed.apply(events)
    assert _state(followed) == _state(_seeded(STREAM))
    assert followed.tokens() == ["AUG", "CO2"]
    # Gold: one bar of two delivered; 8.0125 g issued and not redeemed.
    assert (followed.supply("AUG"), followed.backing("AUG")) == (80_125, BAR)
    assert followed.headroom("AUG") == BAR - 80_125
    reserve = followed.reserves["AUG"]
    assert (reserve.units, reserve.used, reserve.attestor, reserve.attested_seq) == (
        2 * BAR, BAR, "auditor", 8
    )  # fmt: skip
    # Carbon: 3 t retired left the registry's serials; 97 t issued.
    assert (followed.supply("CO2"), followed.backing("CO2")) == (97_000, 1_497_000)
    assert followed.subscriptions["AUG"].price == 100_000
    assert "CO2" not in followed.subscriptions
    # Permissioned holding: the carbon token's rules, three identities, and of the two
    # freezes only Alice's half tonne still frozen (Bob's was released whole).
    assert list(followed.holder_rules) == ["CO2"]
    assert followed.holder_rules["CO2"].max_per_holder == 2_000
    assert followed.identity(CAROL) == AccountIdentity(3, "US")
    assert followed.identity(CAROL + 1) == AccountIdentity(0, "")  # never verified
    assert followed.frozen == {(ALICE, "CO2"): 500}
    assert (followed.frozen_of(ALICE, "CO2"), followed.frozen_of(BOB, "CO2")) == (500, 0)


def test_a_view_seeded_half_way_follows_the_rest() -> None:
    half = len(STREAM.items) // 2
    early = Stream()
    for _, _, command, _ in STREAM.items[:half]:
        early.at(0, command)
    view = _seeded(early)
    for _, _, _, events in STREAM.items[half:]:
        view.apply(events)
    assert _state(view) == _state(_seeded(STREAM))


def test_deposits_and_withdrawals_of_a_token_move_its_supply() -> None:
    stream = issuance_stream()
    view = _seeded(stream)
    view.apply(stream.at(20, Deposit(ALICE, "CO2", 1_000, "in")))
    view.apply(stream.at(20, Withdraw(ALICE, "CO2", 400, "out")))
    assert view.supply("CO2") == 97_600 == stream.engine.rwa_supplies()["CO2"]
    assert view.headroom("CO2") == 1_497_000 - 97_600


def test_what_a_holder_is_told_agrees_with_what_the_engine_does() -> None:
    """Each account's problems with the carbon token, then an allocation to it: refused
    exactly when it has a problem that stops holding."""
    stream = _permissioned(issuance_stream())
    engine = stream.engine
    view = _seeded(stream)
    rules = view.holder_rules["CO2"]
    now = START_US + 20 * DAY_US

    def told(account: int) -> list[HolderProblem]:
        holding = sum(free + held for _, asset, free, held in engine.balances(account)
                      if asset == "CO2")  # fmt: skip
        return holder_problems(rules, view.identity(account), holding, 2, now)

    def allocated(account: int, amount: int) -> bool:
        transfer = TransferRwa(CARBON_ISSUER, "CO2", CARBON_ISSUER, account, amount,
                               TransferKind.ALLOCATION, "", f"to-{account}")  # fmt: skip
        events = engine.apply(engine.last_seq + 1, now, transfer)
        view.apply(events)
        return not any(isinstance(event, CommandRejected) for event in events)

    # Alice holds 7 t, beyond the 2 t cap (she had them before the rules); Bob's level is
    # too low; Carol's country is not admitted; an unverified account fails both.
    assert told(ALICE) == [HolderProblem.MAX_PER_HOLDER]
    assert told(BOB) == [HolderProblem.KYC_LEVEL, HolderProblem.MAX_PER_HOLDER]
    assert told(CAROL) == [HolderProblem.COUNTRY]
    assert told(CAROL + 1) == [HolderProblem.KYC_LEVEL, HolderProblem.COUNTRY]
    assert not any(allocated(account, 1) for account in (ALICE, BOB, CAROL, CAROL + 1))

    # A new Japanese holder at level 2 may take up to the cap, and then no more.
    dave = CAROL + 2
    view.apply(engine.apply(engine.last_seq + 1, now, SetAccountIdentity(
        dave, AccountIdentity(2, "JP"))))  # fmt: skip
    assert told(dave) == []
    assert allocated(dave, 2_000)
    assert told(dave) == [HolderProblem.MAX_PER_HOLDER]
    assert not allocated(dave, 1)

    # A lock-up stops trading only; a full holder list stops a newcomer, not a holder.
    locked = HolderRules("CO2", lockup_until_us=now + 1, max_holders=3)
    assert holder_problems(locked, AccountIdentity(), 0, 3, now) == [
        HolderProblem.MAX_HOLDERS, HolderProblem.LOCKED_UP,
    ]  # fmt: skip
    assert holder_problems(locked, AccountIdentity(), 5, 3, now + 1) == []


def test_a_seed_without_permissioned_holding_still_decodes() -> None:
    """An engine from before permissioned holding sends an RwaSeed of four fields."""
    old = msgspec.msgpack.encode([[], [], [], {"CO2": 5}])
    seed = msgspec.msgpack.decode(old, type=RwaSeed)
    assert (seed.supplies, seed.holder_rules, seed.identities, seed.frozen) == ({"CO2": 5}, [],
                                                                                [], [])  # fmt: skip
    full = read_state(STREAM.engine).rwa
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(full), type=RwaSeed) == full
    assert full.frozen == [(ALICE, "CO2", 500)]


def test_a_seed_without_issuance_still_decodes() -> None:
    """An engine or gateway from before issuance sends a Seed of seven fields."""
    old = msgspec.msgpack.encode([3, [], [], {}, [], {}, []])
    seed = msgspec.msgpack.decode(old, type=Seed)
    assert (seed.last_seq, seed.rwa.terms, seed.rwa.supplies) == (3, [], {})
    view = Issuance()
    view.seed(seed.assets, seed.rwa)
    assert view.tokens() == []
    # And one with it goes through the wire whole.
    full = read_state(STREAM.engine)
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(full), type=Seed).rwa == full.rwa

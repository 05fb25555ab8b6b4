"""Two gateways' stores over one PostgreSQL schema (`assetport serve --shared-db`, issue #20),
built as `serve` builds them, each with its own data dir: what one makes or ends, the other
sees; secrets are stored only sealed; the wrong secrets key stops a gateway at open."""

import asyncio
import hashlib
import hmac
import os
import secrets
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from shared_schema import PG, pg_user

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "accounts"))
from test_price_alerts import Captured, Prices, run, trade

from assetport.accounts import totp
from assetport.accounts.attempts import Attempts, Limit, TooMany
from assetport.accounts.database import IntegrityError
from assetport.accounts.price_alerts import AlertStore, PriceAlerts
from assetport.accounts.recovery import RecoveryCodes
from assetport.accounts.service import Accounts
from assetport.accounts.sessions import Sessions
from assetport.accounts.store import AccountStore
from assetport.accounts.tokens import Purpose, TokenOwner, Tokens
from assetport.api.signing import check_key, verify_signature
from assetport.edge.errors import ApiError
from assetport.edge.keys import AdminToken, KeyStore, Permission
from assetport.edge.secrets_key import SecretsKeyError, read_key_file
from assetport.edge.sessions import SessionCredentials
from assetport.edge.shared_db import MissLookups, SharedDb, SharedDbError, open_shared_db
from assetport.edge.users import UserError, UserStore

ROOT = Path(__file__).resolve().parents[3]
DEADLINE_S = 30.0


@dataclass
class Gateway:
    """What `serve` builds over a shared database, without the HTTP around it."""

    shared: SharedDb
    users: UserStore
    keys: KeyStore
    accounts: AccountStore
    sessions: Sessions
    data_dir: Path

    def close(self) -> None:
        self.keys.close()
        self.users.close()
        self.accounts.close()
        self.shared.close()


def _gateway(data_dir: Path, url: str, key: bytes) -> Gateway:
    shared = SharedDb(url, key)
    store = AccountStore(data_dir, shared)
    gateway = Gateway(
        shared,
        UserStore(data_dir, shared),
        KeyStore(data_dir, shared),
        store,
        Sessions(store),
        data_dir,
    )
    shared.start()
    return gateway


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def two(tmp_path: Path, shared_url: str, key: bytes) -> Iterator[tuple[Gateway, Gateway]]:
    a = _gateway(tmp_path / "a", shared_url, key)
    b = _gateway(tmp_path / "b", shared_url, key)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def _eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "the change never reached the other gateway"
        time.sleep(0.05)


def _now_ms() -> int:
    return int(time.time() * 1000)


def test_a_user_made_on_one_gateway_is_known_to_the_other(two: tuple[Gateway, Gateway]) -> None:
    a, b = two
    alice = a.users.create("alice", _now_ms())
    assert alice.user_id >= 1000
    assert b.users.get(alice.user_id) == alice  # looked up on the miss
    assert b.users.by_name("alice") == alice
    with pytest.raises(UserError, match="taken"):
        b.users.create("alice", _now_ms())
    # Nothing is written to the gateways' own SQLite files.
    assert not (a.data_dir / "users.sqlite3").exists()
    assert not (b.data_dir / "api_keys.sqlite3").exists()


def test_gateways_creating_users_at_once_get_distinct_ids(two: tuple[Gateway, Gateway]) -> None:
    a, b = two
    made: list[int] = []
    start = threading.Barrier(2)

    def create(gateway: Gateway, prefix: str) -> None:
        start.wait()
        for n in range(25):
            made.append(gateway.users.create(f"{prefix}-{n}", _now_ms()).user_id)

    threads = [threading.Thread(target=create, args=(g, p)) for g, p in ((a, "a"), (b, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 50 and len(set(made)) == 50
    assert min(made) >= 1000
    # Each gateway comes to know every user, through the change poller.
    _eventually(lambda: all(b.users.get(i) is not None for i in made))
    assert {a.users.get(i) for i in made} == {b.users.get(i) for i in made}


def _signed_check(gateway: Gateway, api_key: str, secret: str) -> None:
    """A request signed with the secret, checked as the REST pipeline checks it."""
    payload = f"symbol=KGLDKRW&timestamp={_now_ms()}".encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest().encode()
    found = check_key(gateway.keys, api_key, "127.0.0.1", Permission.TRADE)
    verify_signature(found, payload, signature)


def test_a_key_made_on_one_gateway_signs_on_the_other_until_revoked(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("trader", _now_ms())
    made, secret = a.keys.create_hmac_key(
        user.user_id, permissions=[Permission.READ, Permission.TRADE], now_ms=_now_ms()
    )
    _signed_check(b, made.api_key, secret)  # at once: looked up on B's miss
    assert [k.api_key for k in b.keys.keys_of(user.user_id)] == [made.api_key]
    assert a.keys.revoke(made.api_key)
    _eventually(lambda: b.keys.get(made.api_key) is None)
    with pytest.raises(ApiError):
        _signed_check(b, made.api_key, secret)
    # A key B never asked for reaches its cache through the change poller.
    second, _ = a.keys.create_hmac_key(user.user_id, permissions=[Permission.READ], now_ms=1)
    _eventually(lambda: second.api_key in b.keys._keys)


def test_random_api_keys_cost_a_bounded_number_of_lookups() -> None:
    misses = MissLookups(per_second=20)
    started = time.monotonic()
    allowed = sum(misses.may_look_up(secrets.token_hex(32)) for _ in range(5000))
    seconds = time.monotonic() - started
    # At most 20 a second, whatever the second boundaries the loop crossed.
    assert allowed <= 20 * (int(seconds) + 2)
    name = secrets.token_hex(32)
    misses.absent(name)
    assert not misses.may_look_up(name)  # a name not found is not looked up again


def test_a_session_made_on_one_gateway_works_on_the_other_until_logout(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("web@example.com", _now_ms())
    a.accounts.add(user.user_id, "web@example.com", "$argon2id$not-checked-here", _now_ms())
    started = a.sessions.start(user.user_id, _now_ms())
    cookie = SessionCredentials(f"ap_session={started.session_id}", started.csrf_token)
    assert b.sessions.user_of(cookie, state_changing=True, now_ms=_now_ms()) == (
        user.user_id,
        started.csrf_token,
    )
    a.sessions.end(cookie)
    _eventually(lambda: b.accounts.session(b.sessions.id_hash(cookie) or "") is None)
    with pytest.raises(ApiError):
        b.sessions.user_of(cookie, state_changing=False, now_ms=_now_ms())


def test_a_password_change_on_one_gateway_ends_the_other_sessions_on_all(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("pw@example.com", _now_ms())
    a.accounts.add(user.user_id, "pw@example.com", "$argon2id$not-checked-here", _now_ms())
    kept = a.sessions.start(user.user_id, _now_ms())
    other = b.sessions.start(user.user_id, _now_ms())
    kept_cookie = SessionCredentials(f"ap_session={kept.session_id}", None)
    other_cookie = SessionCredentials(f"ap_session={other.session_id}", None)
    _eventually(lambda: a.accounts.session(a.sessions.id_hash(other_cookie) or "") is not None)
    assert a.sessions.end_all(user.user_id, keep=a.sessions.id_hash(kept_cookie)) == 1
    other_hash = b.sessions.id_hash(other_cookie) or ""
    _eventually(lambda: b.accounts.session(other_hash) is None)
    assert b.sessions.user_of(kept_cookie, state_changing=False, now_ms=_now_ms()) is not None


def test_a_session_used_on_another_gateway_is_not_ended_as_idle(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("idle@example.com", _now_ms())
    now = _now_ms()
    started = a.sessions.start(user.user_id, now)
    cookie = SessionCredentials(f"ap_session={started.session_id}", None)
    id_hash = a.sessions.id_hash(cookie) or ""
    _eventually(lambda: b.accounts.session(id_hash) is not None)
    later = now + b.sessions.idle_ms - 1000
    assert a.sessions.user_of(cookie, state_changing=False, now_ms=later) is not None  # touched
    # B's cache still says the session's last use was at its start: it reads it again.
    after = later + 2 * 60 * 1000
    assert b.sessions.user_of(cookie, state_changing=False, now_ms=after) is not None


def test_verification_on_one_gateway_reaches_the_others_cache(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("v@example.com", _now_ms())
    a.accounts.add(user.user_id, "v@example.com", "$argon2id$x", _now_ms())
    assert not b.accounts.is_verified(user.user_id)
    a.accounts.set_verified(user.user_id)
    _eventually(lambda: b.accounts.is_verified(user.user_id))


def _raw_rows(url: str) -> bytes:
    """Every value of every table of the schema, as PostgreSQL's text of it, bytea as bytes."""
    schema = url.rsplit("schema=", 1)[1]
    user = pg_user()
    everything = bytearray()
    with psycopg.connect(f"{PG} user={user}") as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall():
                for value in row:
                    everything += value if isinstance(value, bytes) else str(value).encode()
                    everything += b"\x00"
    return bytes(everything)


def test_secrets_are_stored_only_sealed(two: tuple[Gateway, Gateway], shared_url: str) -> None:
    a, b = two
    user = a.users.create("sealed@example.com", _now_ms())
    _, hmac_secret = a.keys.create_hmac_key(user.user_id, permissions=[Permission.READ], now_ms=1)
    a.accounts.add(user.user_id, "sealed@example.com", "$argon2id$x", _now_ms())
    totp_secret = totp.new_secret()
    a.accounts.set_totp(user.user_id, totp_secret, enabled=True)
    token_a = AdminToken.load_or_create(a.data_dir, a.shared)
    token_b = AdminToken.load_or_create(b.data_dir, b.shared)
    admin_token = (a.data_dir / "admin.token").read_text().strip()
    # One token for the deployment, in each gateway's own file, private.
    assert (b.data_dir / "admin.token").read_text().strip() == admin_token
    assert token_a.check(admin_token) and token_b.check(admin_token)
    assert stat.S_IMODE((b.data_dir / "admin.token").stat().st_mode) == 0o600
    # B reads the TOTP secret A sealed.
    found = b.accounts.by_user(user.user_id)
    assert found is not None and found.totp_secret == totp_secret
    raw = _raw_rows(shared_url)
    assert b"sealed@example.com" in raw  # the dump does see the tables' contents
    for secret in (hmac_secret, totp_secret, admin_token):
        assert secret.encode() not in raw


def test_the_wrong_secrets_key_fails_at_open(tmp_path: Path, shared_url: str, key: bytes) -> None:
    first = SharedDb(shared_url, key)
    first.close()
    with pytest.raises(SharedDbError, match="not the one"):
        SharedDb(shared_url, secrets.token_bytes(32))


def test_a_shared_db_without_a_secrets_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, shared_url: str, tmp_path: Path
) -> None:
    monkeypatch.delenv("ASSETPORT_SECRETS_KEY", raising=False)
    with pytest.raises(SecretsKeyError, match="--secrets-key-file"):
        open_shared_db(shared_url, None)
    loose = tmp_path / "loose.key"
    loose.write_text(secrets.token_hex(32))
    loose.chmod(0o644)
    with pytest.raises(SecretsKeyError, match="chmod 600"):
        open_shared_db(shared_url, loose)
    monkeypatch.setenv("ASSETPORT_SECRETS_KEY", "too short")
    with pytest.raises(SecretsKeyError, match="32 bytes"):
        open_shared_db(shared_url, None)


def test_secrets_key_new_writes_a_private_key_file_once(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    command = [sys.executable, "-m", "assetport.cli", "secrets-key", "new", "--out", str(path)]
    made = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(read_key_file(path)) == 32
    again = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert again.returncode == 1 and "never replaced" in again.stderr
    assert os.path.getsize(path) == 65  # the first key, untouched


def test_gateways_starting_at_once_all_make_their_tables(
    tmp_path: Path, shared_url: str, key: bytes
) -> None:
    start = threading.Barrier(3)
    opened: list[Gateway] = []
    failures: list[BaseException] = []

    def open_one(n: int) -> None:
        start.wait()
        try:
            opened.append(_gateway(tmp_path / f"g{n}", shared_url, key))
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert len(opened) == 3
    finally:
        for gateway in opened:
            gateway.close()


def test_the_accounts_other_tables_work_on_the_shared_database(
    two: tuple[Gateway, Gateway],
) -> None:
    a, b = two
    user = a.users.create("tables@example.com", _now_ms())
    a.accounts.add(user.user_id, "tables@example.com", "$argon2id$x", _now_ms())
    with pytest.raises(IntegrityError):  # the email is taken, whichever gateway asks
        b.accounts.add(user.user_id + 1, "tables@example.com", "$argon2id$x", _now_ms())
    now = _now_ms()
    # Attempts counted on one gateway hold on the other.
    attempts_a, attempts_b = Attempts(a.accounts.database), Attempts(b.accounts.database)
    limit = Limit("test-login", 2, 60_000)
    attempts_a.reserve(now, (limit, "x"))
    reserved = attempts_b.reserve(now, (limit, "x"))
    with pytest.raises(TooMany):
        attempts_a.reserve(now, (limit, "x"))
    attempts_b.forget(reserved)
    attempts_a.reserve(now, (limit, "x"))
    attempts_b.clear(limit, "x")
    # A link mailed by one gateway is used once, on the other.
    token = Tokens(a.accounts.database).issue(Purpose.RESET, user.user_id, "t@e.com", now)
    tokens_b = Tokens(b.accounts.database)
    assert tokens_b.peek(Purpose.RESET, token, now) == TokenOwner(user.user_id, "t@e.com")
    assert tokens_b.use(Purpose.RESET, token, now) is not None
    assert tokens_b.use(Purpose.RESET, token, now) is None
    # Recovery codes: the key is derived from the secrets key, the same on both.
    codes = RecoveryCodes(a.accounts.database, a.accounts.derived_key("recovery-codes"))
    made = codes.replace(user.user_id, now)
    codes_b = RecoveryCodes(b.accounts.database, b.accounts.derived_key("recovery-codes"))
    assert codes_b.use(user.user_id, made[0]) and not codes.use(user.user_id, made[0])
    assert codes.left(user.user_id) == 9
    # TOTP steps, login addresses, price alerts.
    a.accounts.set_totp(user.user_id, totp.new_secret(), enabled=True)
    assert a.accounts.use_totp_step(user.user_id, 5) and not b.accounts.use_totp_step(
        user.user_id, 5
    )
    assert not a.accounts.note_login_address(user.user_id, "10.0.0.1", now)
    assert b.accounts.note_login_address(user.user_id, "10.0.0.2", now)
    alerts_a, alerts_b = AlertStore(a.accounts.database), AlertStore(b.accounts.database)
    alert = alerts_a.add(user.user_id, "KGLDKRW", 150_000_0000, "up", now)
    assert [found.id for found in alerts_b.waiting()] == [alert.id]
    assert alerts_b.mark_fired([(alert.id, now, 150_000_0000)]) == [alert.id]
    assert alerts_a.mark_fired([(alert.id, now, 150_000_0000)]) == []  # mailed once
    assert alerts_a.of_user(user.user_id)[0].fired_ms == now
    assert alerts_b.delete(user.user_id, alert.id) is not None


def test_every_gateway_watches_every_alert_and_one_mails_it(two: tuple[Gateway, Gateway]) -> None:
    """An alert made on A is watched by B within a poll: it fires when A is gone, and when
    both see the trade only one mails it. A deletion on one is forgotten by the other."""
    a, b = two
    user = a.users.create("alerts@example.com", _now_ms())
    a.accounts.add(user.user_id, "alerts@example.com", "$argon2id$x", _now_ms())
    a.accounts.set_verified(user.user_id)

    async def main() -> None:
        (accounts_a, alerts_a, outbox_a), (_, alerts_b, outbox_b) = [_alerts(g) for g in (a, b)]
        owner = accounts_a.account(user.user_id)
        assert owner is not None
        gone = alerts_a.create(owner, "KGLDKRW", "120000", _now_ms())
        alerts_a.create(owner, "KGLDKRW", "110000", _now_ms())
        await _until(lambda: alerts_b.waiting_count == 2)
        alerts_a.delete(owner, gone.id)
        await _until(lambda: alerts_b.waiting_count == 1)

        # A no longer runs: B's trades fire what was made on A.
        run(alerts_b, trade(110_000))
        assert alerts_b.waiting_count == 0
        assert [m["Subject"] for m in outbox_b.letters()] != []
        assert alerts_b.of(owner)[0].fired_ms is not None
        await _until(lambda: alerts_a.waiting_count == 0)  # A forgets what B fired

        # Both see the trade that reaches an alert: one mail, whichever marks it first.
        alerts_b.create(owner, "KGLDKRW", "90000", _now_ms())
        await _until(lambda: alerts_a.waiting_count == 1)
        run(alerts_a, trade(80_000))
        run(alerts_b, trade(80_000))
        assert len(outbox_a.jobs) + len(outbox_b.jobs) == 2  # the first alert's, and this one
        assert alerts_a.waiting_count == alerts_b.waiting_count == 0

    asyncio.run(main())


def _alerts(gateway: Gateway) -> tuple[Accounts, PriceAlerts, Captured]:
    outbox = Captured()
    accounts = Accounts(gateway.data_dir, gateway.users, outbox=outbox, store=gateway.accounts)
    return accounts, PriceAlerts(accounts, Prices()), outbox


async def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "the change never reached the other gateway"
        await asyncio.sleep(0.05)

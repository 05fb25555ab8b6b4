"""The command line and key creation (issue 13, operations): a bad path is one clear line,
never a traceback, for every `assetport` subcommand that takes one; an API key without
permissions is refused however it is made (CLI, admin endpoint, account page); labels and
names with control or bidirectional-override characters are refused with a clear error."""

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from operations_support import run_cli

from assetport.edge.keys import KeyStore, Permission

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import WebUser, account_server

NOW = 1_700_000_000_000
# Control characters and every bidirectional control the label rule names.
BAD_LABELS = [
    "line\nbreak", "tab\there", "nul\x00", "esc\x1b[31m", "del\x7f", "c1\x85",
    "rlo\u202egnp.exe", "lre\u202a", "rle\u202b", "pdf\u202c", "lro\u202d", "lri\u2066",
    "rli\u2067", "fsi\u2068", "pdi\u2069", "lrm\u200e", "rlm\u200f", "alm\u061c",
    "sep\u2028", "para\u2029",
]  # fmt: skip


def _one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    message = result.stderr.strip()
    assert result.returncode != 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(message.splitlines()) == 1, message
    assert message.startswith("assetport"), message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("cli") / "data") as running:
        yield running


def test_bad_paths_are_one_clear_line(server: ExchangeServer, tmp_path: Path) -> None:
    data = str(server.data_dir)
    missing = str(tmp_path / "missing")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    binary = tmp_path / "key.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    user = server.user("paths")
    apikey = ("admin", "--data-dir", data, "apikey", "create", str(user.user_id))

    # (arguments, what the one line must say): independent runs, made side by side (each
    # is a whole Python start).
    cases: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for public_key in (missing, str(tmp_path), str(binary)):
        cases.append(((*apikey, "--ed25519-public-key", public_key), (public_key,)))
    for tool in ("verify", "stats", "replay"):
        for where in (missing, str(a_file)):
            cases.append((("journal", tool, "--data-dir", where), (where,)))
    cases.append((("reconcile", "--data-dir", missing), (missing,)))
    cases.append((("admin", "--data-dir", missing, "status"), (missing,)))
    for writer in ("serve", "engine-serve"):
        cases.append(((writer, "--data-dir", str(a_file), "--port", "0"), (str(a_file),)))
    serves = (("serve", "--data-dir", str(tmp_path / f"d{n}"), "--port", "0") for n in range(4))
    for option in ("--config", "--tls-cert"):
        cases.append(((*next(serves), option, missing, "--tls-key", str(a_file)), (missing,)))
    cases.append(((*next(serves), "--tls-cert", str(a_file), "--tls-key", missing), (missing,)))
    # Custody over the port needs the engine's history (--db); a gateway without it says
    # so, and starts nothing (no engine is listening at that port: the refusal comes first).
    gateway = (*next(serves), "--engine", "127.0.0.1:9", "--chain-rpc", "http://127.0.0.1:9")
    cases.append((gateway, ("custody over --engine needs --db", "--no-chain")))
    cases.append((("por", "publish", "--data-dir", missing), (missing,)))
    por_build = ("por", "build", "--data-dir", missing, "--out", str(tmp_path / "o"))
    cases.append((por_build, (missing,)))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: run_cli(*case[0]), cases))
    for (_, needles), result in zip(cases, results, strict=True):
        _one_clear_line(result, *needles)
    assert not Path(missing).exists()  # a typo makes nothing
    quiet = tmp_path / "quiet"  # a data directory whose server is not running
    quiet.mkdir()
    refused = run_cli("por", "publish", "--data-dir", str(quiet))
    _one_clear_line(refused, "no Assetport server is running", "--no-reserves")
    assert not (quiet / "proof-of-reserves").exists()

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "server.json").write_text("{not json")
    (broken / "admin.token").write_text("token\n")
    _one_clear_line(run_cli("admin", "--data-dir", str(broken), "status"), "server.json")


def test_a_key_without_permissions_is_refused_by_the_cli_and_the_admin_endpoint(
    server: ExchangeServer,
) -> None:
    user = server.user("nothing")
    result = run_cli(
        "admin", "--data-dir", str(server.data_dir), "apikey", "create", str(user.user_id),
        "--permissions", "",
    )  # fmt: skip
    _one_clear_line(result, "at least one permission")
    status, answer = _admin(server, "/api/v1/admin/apikeys", user_id=user.user_id, permissions=[])
    assert status == 400 and "at least one permission" in answer["msg"], answer
    created = run_cli(
        "admin", "--data-dir", str(server.data_dir), "apikey", "create", str(user.user_id),
        "--permissions", "read",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr


def test_bad_labels_and_names_are_refused_by_the_admin_endpoints(server: ExchangeServer) -> None:
    user = server.user("labels")
    for label in BAD_LABELS:
        status, answer = _admin(
            server, "/api/v1/admin/apikeys", user_id=user.user_id, permissions=["read"],
            label=label,
        )  # fmt: skip
        assert status == 400 and "U+" in answer["msg"], (label, answer)
        status, answer = _admin(server, "/api/v1/admin/users", name=f"user {label} x")
        assert status == 400 and "U+" in answer["msg"], (label, answer)
    status, answer = _admin(
        server, "/api/v1/admin/apikeys", user_id=user.user_id, permissions=["read"],
        label="트레이딩 봇 (ok)",
    )  # fmt: skip
    assert status == 200, answer


def test_the_key_store_refuses_them_for_every_caller(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    with pytest.raises(ValueError, match="at least one permission"):
        store.create_hmac_key(5, permissions=[], now_ms=NOW)
    for label in BAD_LABELS:
        with pytest.raises(ValueError, match="U\\+"):
            store.create_hmac_key(5, permissions=[Permission.READ], now_ms=NOW, label=label)
    assert len(store) == 0
    store.close()


def test_the_account_page_refuses_them(tmp_path: Path) -> None:
    with account_server(tmp_path / "data") as server:
        web = WebUser(server)
        web.sign_up("keys@example.com")
        status, answer = web.account("POST", "/apikeys", {"type": "HMAC", "permissions": []})
        assert status == 400 and "at least one permission" in answer["msg"], answer
        for label in ("rlo\u202egnp.exe", "line\nbreak"):
            body = {"type": "HMAC", "permissions": ["read"], "label": label}
            status, answer = web.account("POST", "/apikeys", body)
            assert status == 400 and "U+" in answer["msg"], answer
        status, answer = web.account("GET", "/apikeys")
        assert status == 200 and answer["apiKeys"] == []


def _admin(server: ExchangeServer, path: str, **body: object) -> tuple[int, dict[str, object]]:
    token = (server.data_dir / "admin.token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, answer = server.request("POST", path, headers, json.dumps(body).encode())
    return status, answer

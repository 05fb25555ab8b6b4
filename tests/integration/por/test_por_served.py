"""The published proof of reserves over real HTTP: nothing until an operator builds one;
then the root for anyone and, for each account, its own proof, which verifies against that
root with the stand-alone verifier. A new build is served without a restart."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from exchange_server import ExchangeServer

from assetport.domain.proof_of_reserves.verify import verify_proof

ROOT = "/api/v1/proof-of-reserves/root"
PROOF = "/api/v1/proof-of-reserves/proof"


def build(data_dir: Path, out: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "por", "build", "--data-dir", str(data_dir),
         "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_root_and_each_account_s_proof_are_served_and_verify(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir) as server:
        alice = server.user("por-alice", KRW="1500000", KGLD="2.5")
        bob = server.user("por-bob", KRW="20")
        status, answer = server.request("GET", ROOT)
        assert (status, answer["code"]) == (404, -7011), answer
        status, answer = alice.get(PROOF)
        assert (status, answer["code"]) == (404, -7011), answer

        # The operator builds beside the running server, then puts the build in place.
        build(data_dir, tmp_path / "build-1")
        shutil.move(tmp_path / "build-1", data_dir / "proof-of-reserves")
        status, root = server.request("GET", ROOT)
        assert status == 200, root
        status, proof = alice.get(PROOF)
        assert status == 200, proof
        verified = verify_proof(proof, root)
        assert verified.account == alice.user_id
        assets = [code for code, _ in verified.root.assets]
        mine = dict(zip(assets, verified.balances, strict=True))
        assert (mine["KRW"], mine["KGLD"]) == (1_500_000, 25_000)
        status, theirs = bob.get(PROOF)
        assert status == 200 and verify_proof(theirs, root).account == bob.user_id
        assert theirs["leaf"]["account"] != proof["leaf"]["account"]

        # An account opened after the build is not in it, and is told so.
        carol = server.user("por-carol", KRW="1")
        status, answer = carol.get(PROOF)
        assert (status, answer["code"]) == (404, -7012), answer
        assert set(answer) == {"code", "msg"}

        # A new build replaces the old one in place: served at once.
        build(data_dir, tmp_path / "build-2")
        shutil.rmtree(data_dir / "proof-of-reserves")
        shutil.move(tmp_path / "build-2", data_dir / "proof-of-reserves")
        status, proof = carol.get(PROOF)
        assert status == 200 and verify_proof(proof).account == carol.user_id


HISTORY = "/api/v1/proof-of-reserves/history"


def publish(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "por", "publish", "--data-dir", str(data_dir),
         *extra],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_publishing_switches_the_served_build_and_keeps_every_root(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir) as server:
        dave = server.user("por-dave", KRW="700")
        status, history = server.request("GET", HISTORY)
        assert (status, history) == (200, [])

        # This server runs without custody (no chain): published without reserves, said so.
        first = publish(data_dir)
        assert "without custody: no on-chain reserves stated" in first.stdout
        status, root_1 = server.request("GET", ROOT)
        assert status == 200 and root_1["reserves"] == {} and root_1["reserves_read"] is None
        assert first.stdout.splitlines()[1] == f"root {root_1['hash']}"
        status, proof = dave.get(PROOF)
        assert status == 200 and verify_proof(proof, root_1).account == dave.user_id

        erin = server.user("por-erin", KRW="5")
        reserves = tmp_path / "reserves.json"
        reserves.write_text('{"KRW": [{"address": "bank:1", "balance": "800"}]}')
        publish(data_dir, "--reserves", str(reserves))
        publish(data_dir, "--no-reserves")
        publish(data_dir, "--no-reserves")
        status, root_4 = server.request("GET", ROOT)
        assert status == 200 and root_4["hash"] != root_1["hash"]
        status, proof = erin.get(PROOF)  # opened after the first build, in the newest
        assert status == 200 and verify_proof(proof, root_4).account == erin.user_id

        # Every root published, newest first; the builds themselves are pruned to a few.
        status, history = server.request("GET", HISTORY)
        assert status == 200 and len(history) == 4, history
        assert [entry["hash"] for entry in (history[0], history[3])] == [
            root_4["hash"], root_1["hash"],
        ]  # fmt: skip
        assert history[2]["reserves"]["KRW"] == {"units": "800", "total": "800", "addresses": 1}
        assert history[3]["totals"] == root_1["totals"]
        status, newest = server.request("GET", HISTORY + "?limit=1")
        assert status == 200 and newest == history[:1]
        status, answer = server.request("GET", HISTORY + "?limit=0")
        assert (status, answer["code"]) == (400, -1130), answer
        builds = sorted((data_dir / "proof-of-reserves" / "builds").iterdir())
        assert len(builds) == 3
        assert (data_dir / "proof-of-reserves" / "current").resolve() == builds[-1]


def test_a_server_told_to_publishes_on_its_own(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir, "--por-every", "1") as server:
        frank = server.user("por-frank", KRW="3")
        deadline = time.monotonic() + 60
        history: list[dict[str, object]] = []
        while len(history) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            status, history = server.request("GET", HISTORY)
            assert status == 200, history
        assert len(history) >= 2, "two publications within a minute of a 1 s cadence"
        status, proof = frank.get(PROOF)
        assert status == 200 and verify_proof(proof).account == frank.user_id

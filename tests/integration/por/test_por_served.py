"""The published proof of reserves over real HTTP: nothing until an operator builds one;
then the root for anyone and, for each account, its own proof, which verifies against that
root with the stand-alone verifier. A new build is served without a restart."""

import shutil
import subprocess
import sys
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

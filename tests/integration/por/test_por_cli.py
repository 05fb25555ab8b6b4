"""`assetport por build` on the data dir of a real engine run, and `assetport por verify` on
one account's proof, end to end through the command line (issue 16): the proof verifies,
its figures are the replayed ledger's, and a tampered proof fails with a reason."""

import asyncio
import json
import random
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "recovery"))
from engine_process import ACCOUNTS, EngineProcess, TradingClient

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.journal.snapshots import SnapshotStore
from assetport.runtime.replay import read_records, replay
from assetport.runtime.reserves import current_liabilities, liabilities_of


def _assetport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetport.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal from a short real run: funded accounts trading KGLD for KRW."""
    data = tmp_path_factory.mktemp("por") / "data"
    client = TradingClient(random.Random(16))
    engine = EngineProcess(data)
    engine.start()
    asyncio.run(client.setup(engine.port))
    asyncio.run(client.trade(engine.port, window=50, seconds=0.5))
    assert engine.stop()[0] == 0
    return data


def test_a_proof_from_a_real_run_verifies_and_a_tampered_one_fails(
    data_dir: Path, tmp_path: Path
) -> None:
    reserves = tmp_path / "reserves.json"
    stated = [{"address": "0xcold", "balance": "5000000"}, {"address": "0xhot", "balance": "0.5"}]
    reserves.write_text(json.dumps({"KGLD": stated}))
    out = tmp_path / "por"
    built = _assetport(
        "por", "build", "--data-dir", str(data_dir), "--reserves", str(reserves), "--out", str(out)
    )
    assert built.returncode == 0, built.stderr
    root = json.loads((out / "root.json").read_text())
    assert built.stdout.splitlines()[0] == f"root {root['hash']}"

    # The totals are every user's free + held of the replayed ledger, platform accounts not.
    engine = replay(data_dir).engine
    owed: dict[str, int] = {}
    for account, asset, free, held in engine.balances():
        if account >= FIRST_USER_ACCOUNT:
            owed[asset] = owed.get(asset, 0) + free + held
    assert {total["asset"]: int(total["units"]) for total in root["totals"]} == owed
    assert root["accounts"] == len(ACCOUNTS)
    assert root["as_of"]["seq"] == engine.last_seq
    assert root["reserves"]["KGLD"]["total"] == "5000000.5000"
    kgld = next(line for line in built.stdout.splitlines() if line.startswith("KGLD "))
    ratio = (50_000_005_000 / owed["KGLD"]) if owed["KGLD"] else None
    assert ratio is not None and kgld.split()[-1] == f"{ratio:.4f}"
    assert "not stated" in next(
        line for line in built.stdout.splitlines() if line.startswith("KRW ")
    )

    # One private proof per user account, each its account's alone.
    proofs = sorted((out / "proofs").iterdir())
    assert [path.name for path in proofs] == [f"{account}.json" for account in ACCOUNTS]
    for path in [out / "root.json", *proofs]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    mine = out / "proofs" / "1007.json"
    checked = _assetport("por", "verify", str(mine), "--root", str(out / "root.json"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"OK: account 1007 is included in root {root['hash']}")
    balances = {asset: free + held for _, asset, free, held in engine.balances(1007)}
    krw_line = next(line for line in checked.stdout.splitlines() if line.startswith("KRW "))
    assert krw_line.split()[1:] == [str(balances["KRW"]), str(owed["KRW"])]

    # The verifier runs alone too: a copy of the one file, outside the package.
    alone = tmp_path / "verify.py"
    source = Path(__file__).resolve().parents[3] / "src/assetport/domain/proof_of_reserves"
    alone.write_text((source / "verify.py").read_text())
    copied = subprocess.run(
        [sys.executable, "-I", str(alone), str(mine)], capture_output=True, text=True, timeout=60
    )  # fmt: skip
    assert copied.returncode == 0 and copied.stdout == checked.stdout, copied.stdout + copied.stderr

    proof = json.loads(mine.read_text())
    proof["leaf"]["balances"][1]["units"] = str(int(proof["leaf"]["balances"][1]["units"]) + 1)
    proof["leaf"]["balances"][1]["amount"] = proof["leaf"]["balances"][1]["units"]  # KRW: 0 places
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(proof))
    failed = _assetport("por", "verify", str(tampered))
    assert failed.returncode == 1
    assert failed.stdout.strip() == "FAILED: the path does not lead to the root's tree hash"

    other = tmp_path / "other"
    rebuilt = _assetport("por", "build", "--data-dir", str(data_dir), "--out", str(other))
    assert rebuilt.returncode == 0, rebuilt.stderr
    mixed = _assetport("por", "verify", str(mine), "--root", str(other / "root.json"))
    assert mixed.returncode == 1 and "is not the published root" in mixed.stdout


def test_bad_inputs_are_one_clear_line(data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = _assetport("por", "build", "--data-dir", str(missing), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and "does not exist" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"DOGE": [{"address": "D1", "balance": "1"}]}))
    for reserves, needle in ((bad, "'DOGE' is not a listed asset"), (missing, "cannot read")):
        result = _assetport(
            "por", "build", "--data-dir", str(data_dir), "--reserves", str(reserves),
            "--out", str(tmp_path / "o"),
        )  # fmt: skip
        assert result.returncode == 1 and needle in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    result = _assetport("por", "build", "--data-dir", str(data_dir), "--out", str(tmp_path))
    assert result.returncode == 1 and "is not an empty directory" in result.stderr
    result = _assetport("por", "verify", str(missing))
    assert result.returncode == 1 and result.stdout.startswith(f"FAILED: cannot read {missing}")


def test_the_build_reads_the_newest_snapshot_and_the_journal_s_tail(
    data_dir: Path, tmp_path: Path
) -> None:
    """After a restart and more trading cut short by kill -9, the ledger the build reads
    (snapshot + tail, as recovery reads it) is the one a replay from seq 1 reaches."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    assert list((copy / "snapshots").glob("*.snap")), "the clean stop wrote a snapshot"
    client = TradingClient(random.Random(17))
    engine = EngineProcess(copy)
    engine.start()
    asyncio.run(client.trade(engine.port, window=50, seconds=0.3))
    engine.kill()
    engine.wait()

    ledger = current_liabilities(copy)
    replayed = replay(copy).engine
    assert ledger.seq == replayed.last_seq > snapshot_seq(copy)
    assert ledger == liabilities_of(replayed, ledger.time_us)
    last_time = [record.time for record in read_records(copy, after=replayed.last_seq - 1)]
    assert ledger.time_us == last_time[-1] > 0


def snapshot_seq(data_dir: Path) -> int:
    latest = SnapshotStore.in_data_dir(data_dir).latest()
    assert latest is not None
    return latest[0]

"""The failover drill (scripts/failover_drill.py) at a small size: a 3-node NATS JetStream
cluster, PostgreSQL, an engine, a hot standby and two gateways, flooded through both while
the engine is SIGKILLed and the standby promoted. Every check of the drill must pass, and
nothing it started outlives it. Its figures are printed, never asserted (no timing here)."""

import sys
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from drill_cluster import NATS_SERVER, PG_ADMIN, Cluster, make_work_dir, pg_user
from failover_drill import Options, run_drill


def _database_exists(name: str, user: str) -> bool:
    with psycopg.connect(f"{PG_ADMIN} user={user}") as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def test_the_drill_loses_no_acknowledged_order_and_leaves_nothing_behind() -> None:
    if not Path(NATS_SERVER).exists():
        pytest.skip(f"no {NATS_SERVER}")
    user = pg_user()
    if user is None:
        pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432")
    cluster = Cluster(make_work_dir())
    options = Options(clients=8, seconds=1.0, orders=300, after=0.5)

    report = run_drill(options, print, cluster)

    print(report.text())
    failed = [check for check in report.checks if not check.passed]
    assert not failed, report.text()
    assert report.figures["lost (acknowledged, not on the new primary)"] == 0
    assert report.figures["acknowledged"] > options.orders
    assert cluster.nats is not None and cluster.nats.replicas == 3  # acks meant replicated
    # Nothing left: processes, the database, the work directory.
    assert [child.name for child in cluster.children() if child.running] == []
    assert cluster.database is not None and not _database_exists(cluster.database.name, user)
    assert not cluster.work.exists()

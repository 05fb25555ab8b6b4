"""The `assetport` command.

assetport serve --data-dir D [--host H] [--port P] [--config FILE] [--demo]
    [--smtp-url URL --mail-from ADDR --public-url URL] [--signups-per-hour N]
    [--session-idle-minutes N] [--tls-cert PEM --tls-key PEM] [--trusted-proxy CIDR...]
    [--engine HOST:PORT] [--journal-url nats://... [--stream S] [--subject S] [--replicas N]]
    [--shared-db postgresql://... --secrets-key-file PATH]
assetport secrets-key new --out PATH   the key gateways sharing --shared-db are given
assetport admin --data-dir D account verify EMAIL
assetport admin --data-dir D user create NAME
assetport admin --data-dir D deposit USER_ID ASSET AMOUNT
assetport admin --data-dir D stp SYMBOL DEFAULT_STP [--allow-none]
assetport admin --data-dir D apikey create USER_ID [--ed25519-public-key FILE]
    [--permissions read,trade] [--ip-allow CIDR...]
assetport admin --data-dir D operator add|remove NAME | list
assetport admin --data-dir D issuer-agent add ISSUER NAME | remove NAME | list
assetport admin --data-dir D document FILE [--name NAME]
assetport admin --data-dir D custody withdrawals | report [--csv] | reserves | sweeps | status
assetport admin --data-dir D custody refills
assetport admin --data-dir D custody approve|reject ID [--reason R] [--token T]
assetport admin --data-dir D custody risk-hold USER_ID --on|--off [--reason R]
assetport admin --data-dir D custody refill ASSET AMOUNT | refill-approve ID [--token T]
assetport engine-serve --data-dir D [--journal-url nats://...] [--standby] [--db URL]
assetport engine-status --engine HOST:PORT[,HOST:PORT...] [--hash]   a JSON line per engine
assetport journal verify|stats --data-dir D | [--data-dir D] --journal-url nats://...
assetport journal replay --data-dir D | --journal-url nats://... [--stream S --subject S]
assetport reconcile --data-dir D [--db URL] [--journal-url nats://... --stream S ...]
assetport por build --data-dir D [--reserves RESERVES.json] --out DIR
assetport por publish --data-dir D [--reserves RESERVES.json | --no-reserves] [--por-dir DIR]
assetport por verify PROOF.json [--root ROOT.json]
assetport attest keygen|sign|verify ...   and   assetport admin issuance ...  (issuance_cli.py)
assetport nft verify-drop --url BASE_URL --drop ID   re-derive a draw or box sale (nft_cli.py)

`serve` and `engine-serve` lock their data directory (one writer at a time); the other
commands only read it or talk to the running server, and may run beside it. Whatever the
command, the files it creates are its user's alone (umask 077). A bad path or file is one
line on stderr naming it, and exit status 1 (2 for a usage error), never a traceback.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assetport.accounts.settings import add_serve_arguments as add_account_arguments
from assetport.accounts.settings import from_arguments as account_settings
from assetport.domain.commands import decode_command
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.proof_of_reserves import verify as por_verify
from assetport.domain.proof_of_reserves.tree import NegativeBalance
from assetport.engine.engine import Engine
from assetport.issuance_cli import (
    ToolError,
    add_attest_parser,
    run_attest,
    run_document,
    run_issuer_agents,
)
from assetport.issuance_cli import add_admin_parser as add_issuance_admin
from assetport.issuance_cli import admin_request as issuance_request
from assetport.journal.errors import JournalCorrupted
from assetport.journal.verify import stats, verify
from assetport.nft_cli import add_parser as add_nft_parser
from assetport.nft_cli import run as run_nft
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.data_dir import private_umask, writer_of
from assetport.runtime.journal_source import JournalSource, stream_problems, stream_state
from assetport.runtime.port_client import engine_statuses, parse_addresses
from assetport.runtime.process import run_engine_process
from assetport.runtime.replay import ReplayImpossible, replay
from assetport.runtime.reserves import (
    POR_DIR,
    Ledger,
    ReservesError,
    Stated,
    current_liabilities,
    parse_reserves,
    publish,
    ratios,
    read_reserves,
)
from assetport.runtime.reserves import build as build_reserves


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, required=True, help="the engine's data dir")


def _add_journal_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--journal-url",
        default=None,
        help="nats://host:port for a JetStream journal (default: files in the data dir)",
    )
    parser.add_argument("--stream", default="ASSETPORT", help="JetStream stream name")
    parser.add_argument("--subject", default="assetport.commands", help="JetStream subject")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assetport", description="Assetport exchange")
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING, ERROR")
    commands = parser.add_subparsers(dest="command", required=True)

    engine = commands.add_parser(
        "engine-serve", help="run the engine process with its command port"
    )
    _add_data_dir(engine)
    _add_journal_url(engine)
    engine.add_argument("--host", default="127.0.0.1")
    engine.add_argument("--port", type=int, default=7400, help="command port (0: any free)")
    engine.add_argument("--standby", action="store_true", help="follow a JetStream journal")
    engine.add_argument(
        "--db", "--db-url", dest="db", default=None, metavar="URL",
        help="write the SQL read model (history) to this database while primary; "
        "gateways read it with serve --engine ... --db URL",
    )  # fmt: skip
    engine.add_argument("--replicas", type=int, default=1, help="replicas of a new stream")
    engine.add_argument("--snapshot-every", type=int, default=200_000, help="commands")
    engine.add_argument("--snapshot-seconds", type=float, default=300.0)
    engine.add_argument("--snapshots-kept", type=int, default=3)
    engine.add_argument("--queue-bound", type=int, default=10_000)
    engine.add_argument("--batch-max", type=int, default=2_000)
    engine.add_argument("--segment-bytes", type=int, default=64 * 1024 * 1024)
    engine.add_argument(
        "--archive-segments",
        action="store_true",
        help="move removable segments to journal/archive/ instead of deleting them",
    )

    engine_status = commands.add_parser(
        "engine-status", help="each engine process's role, seq, state hash and lag"
    )
    engine_status.add_argument(
        "--engine", required=True, metavar="HOST:PORT[,HOST:PORT...]", help="command ports"
    )
    engine_status.add_argument(
        "--hash",
        action="store_true",
        help="also the state hash and ledger sums (costs the engine a full encoding of its state)",
    )

    serve = commands.add_parser("serve", help="run the exchange: engine, API and market data")
    _add_data_dir(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (0: any free)")
    serve.add_argument("--config", type=Path, default=None, help="listings file (TOML)")
    serve.add_argument("--demo", action="store_true", help="sandbox mode with test funds")
    _add_journal_url(serve)
    serve.add_argument("--replicas", type=int, default=1, help="replicas of a new stream")
    serve.add_argument(
        "--db", "--db-url", dest="db", default=None, metavar="URL",
        help="read-model database URL (with --engine: the one the engine process writes)",
    )  # fmt: skip
    serve.add_argument(
        "--engine",
        default=None,
        metavar="HOST:PORT",
        help="use the engine process at this command port (engine-serve) instead of one "
        "in this process: no journal here, and SQL history only with --db (the database "
        "the engine process writes: engine-serve --db)",
    )
    serve.add_argument(
        "--por-dir",
        type=Path,
        default=None,
        help="the proof of reserves to serve (assetport por publish, or por build --out "
        "DIR); default DATA_DIR/proof-of-reserves",
    )
    serve.add_argument(
        "--por-every", type=float, default=None, metavar="SECONDS",
        help="publish the proof of reserves this often, with custody's on-chain reserves "
        "(the first 30 s after start); default: only when `assetport por publish` is run",
    )  # fmt: skip
    serve.add_argument(
        "--chain-rpc", default=None, metavar="URL",
        help="JSON-RPC URL of the EVM node for deposits and withdrawals (any node); "
        "with --demo and without it, an embedded anvil starts",
    )  # fmt: skip
    serve.add_argument(
        "--no-chain", action="store_true", help="no custody: no chain node, no wallet endpoints"
    )
    add_account_arguments(serve)
    serve.add_argument("--tls-cert", type=Path, default=None, help="serve https: PEM chain")
    serve.add_argument("--tls-key", type=Path, default=None, help="serve https: PEM key")
    serve.add_argument(
        "--trusted-proxy", action="append", default=[], metavar="CIDR",
        help="believe X-Forwarded-For/-Proto from these addresses (repeatable)",
    )  # fmt: skip
    serve.add_argument(
        "--fix-port", type=int, default=None, metavar="N",
        help="FIX 4.4 order entry on this port of --host (0: any free); default off",
    )  # fmt: skip
    serve.add_argument(
        "--fix-drop-copy-port", type=int, default=None, metavar="N",
        help="FIX 4.4 drop copy on this port of --host (0: any free); default off",
    )  # fmt: skip
    serve.add_argument(
        "--shared-db", default=None, metavar="URL",
        help="postgresql://...[?schema=NAME]: users, API keys, the admin token and web "
        "accounts shared by every gateway given it; default: SQLite files in the data dir",
    )  # fmt: skip
    serve.add_argument(
        "--secrets-key-file", type=Path, default=None, metavar="PATH",
        help="with --shared-db: the deployment's secrets key (assetport secrets-key new), "
        "else $ASSETPORT_SECRETS_KEY",
    )  # fmt: skip
    secrets_key = commands.add_parser("secrets-key", help="the shared database's secrets key")
    secrets_key_tools = secrets_key.add_subparsers(dest="secrets_key_command", required=True)
    secrets_key_tools.add_parser("new", help="write a fresh key file (0600)").add_argument(
        "--out", type=Path, required=True, help="the new file (never replaces one)"
    )

    admin = commands.add_parser("admin", help="operator commands for a running server")
    _add_data_dir(admin)
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    user = admin_commands.add_parser("user", help="users").add_subparsers(
        dest="user_command", required=True
    )
    user_create = user.add_parser("create", help="create a user with an API key")
    user_create.add_argument("name")
    deposit = admin_commands.add_parser("deposit", help="credit a user's account")
    deposit.add_argument("user_id", type=int)
    deposit.add_argument("asset")
    deposit.add_argument("amount", help="a decimal amount, e.g. 1.5")
    deposit.add_argument("--ref", default=None, help="reference (repeats are idempotent)")
    admin_commands.add_parser(
        "status", help="the engine's seq and queue, the SQL read model's seq and lag"
    )
    stp = admin_commands.add_parser("stp", help="a market's self-trade prevention policy")
    stp.add_argument("symbol")
    stp.add_argument("default_stp", choices=[mode.value for mode in SelfTradePrevention])
    stp.add_argument("--allow-none", action="store_true", help="let orders use NONE (self-trade)")
    account = admin_commands.add_parser("account", help="web accounts").add_subparsers(
        dest="account_command", required=True
    )
    account.add_parser("verify", help="mark an email address verified").add_argument("email")
    apikey = admin_commands.add_parser("apikey", help="API keys").add_subparsers(
        dest="apikey_command", required=True
    )
    apikey_create = apikey.add_parser("create", help="create an API key")
    apikey_create.add_argument("user_id", type=int)
    apikey_create.add_argument("--ed25519-public-key", type=Path, default=None)
    apikey_create.add_argument("--permissions", default="read,trade")
    apikey_create.add_argument("--ip-allow", nargs="*", default=[])
    _add_custody_arguments(admin_commands)
    add_issuance_admin(admin_commands)

    commands.add_parser(
        "reconcile",
        help="compare the read model with a replay of the journal",
        add_help=False,
    )

    journal = commands.add_parser("journal", help="check and replay a journal")
    tools = journal.add_subparsers(dest="tool", required=True)
    verify_parser = tools.add_parser("verify", help="check every record and snapshot")
    stats_parser = tools.add_parser("stats", help="counts and seq ranges, as JSON")
    replay_parser = tools.add_parser("replay", help="rebuild state from scratch; print its hash")
    for tool in (verify_parser, stats_parser, replay_parser):
        # With --journal-url the records are in the stream: the data dir (snapshots) is
        # optional then.
        tool.add_argument("--data-dir", type=Path, default=None, help="the engine's data dir")
        _add_journal_url(tool)

    add_attest_parser(commands)
    add_nft_parser(commands)
    por = commands.add_parser("por", help="proof of reserves (docs/proof-of-reserves.md)")
    por_tools = por.add_subparsers(dest="por_command", required=True)
    por_build = por_tools.add_parser(
        "build", help="read the ledger; write root.json and one proof per user account"
    )
    _add_data_dir(por_build)
    por_build.add_argument(
        "--reserves", type=Path, default=None, help="on-chain reserves per asset (JSON)"
    )
    por_build.add_argument("--out", type=Path, required=True, help="a new or empty directory")
    por_publish = por_tools.add_parser(
        "publish",
        help="build beside the running server, with its on-chain reserves, and serve it",
    )
    _add_data_dir(por_publish)
    stated = por_publish.add_mutually_exclusive_group()
    stated.add_argument(
        "--reserves", type=Path, default=None,
        help="reserves from this file rather than from the running server's custody",
    )  # fmt: skip
    stated.add_argument("--no-reserves", action="store_true", help="publish the liabilities alone")
    por_publish.add_argument(
        "--por-dir", type=Path, default=None,
        help=f"the directory the server serves (default: <data-dir>/{POR_DIR})",
    )  # fmt: skip
    por_check = por_tools.add_parser("verify", help="check one account's proof")
    por_check.add_argument("proof", type=Path, help="the account's proof (JSON)")
    por_check.add_argument("--root", type=Path, default=None, help="the published root.json")
    return parser


def _add_custody_arguments(admin_commands: "argparse._SubParsersAction[Any]") -> None:
    """`admin operator ...` (the named operators, in the data directory) and `admin
    custody ...` (the running server's custody endpoints: docs/custody.md)."""
    operator = admin_commands.add_parser(
        "operator", help="named operators who approve withdrawals and refills"
    ).add_subparsers(dest="operator_command", required=True)
    operator.add_parser("add", help="add an operator; prints their token once").add_argument("name")
    operator.add_parser("remove", help="remove an operator").add_argument("name")
    operator.add_parser("list", help="the operators")
    custody = admin_commands.add_parser(
        "custody", help="withdrawal approvals, the custody report, sweeps, refills"
    ).add_subparsers(dest="custody_command", required=True)
    custody.add_parser("withdrawals", help="withdrawals awaiting approval or in flight")
    custody.add_parser("sweeps", help="the deposit addresses' sweeps into the hot wallet")
    custody.add_parser("status", help="the chain node, the watcher, the sender")
    custody.add_parser("refills", help="refills of the hot wallet from cold")
    report = custody.add_parser("report", help="holdings, cold share, hack reserve")
    report.add_argument("--csv", action="store_true", help="CSV rather than JSON")
    custody.add_parser(
        "supply", help="each real-world-asset token's chain and ledger supply against its reserve"
    )
    custody.add_parser(
        "reserves", help="on-chain reserves per address, as `por build --reserves` reads them"
    )
    token_help = f"the operator's own token (default: ${OPERATOR_TOKEN_ENV})"
    for name, what in (("approve", "approve a withdrawal"), ("reject", "reject a withdrawal")):
        decision = custody.add_parser(name, help=what)
        decision.add_argument("id", help="the withdrawal's id")
        decision.add_argument("--token", default=None, help=token_help)
        if name == "reject":
            decision.add_argument("--reason", required=True)
    hold = custody.add_parser("risk-hold", help="every withdrawal of an account waits")
    hold.add_argument("user_id", type=int)
    on_off = hold.add_mutually_exclusive_group(required=True)
    on_off.add_argument("--on", dest="held", action="store_true")
    on_off.add_argument("--off", dest="held", action="store_false")
    hold.add_argument("--reason", default="")
    refill = custody.add_parser("refill", help="request a refill of the hot wallet from cold")
    refill.add_argument("asset")
    refill.add_argument("amount", help="a decimal amount, e.g. 10")
    refill.add_argument("--token", default=None, help=token_help)
    refill_approve = custody.add_parser("refill-approve", help="approve a refill")
    refill_approve.add_argument("id", type=int)
    refill_approve.add_argument("--token", default=None, help=token_help)


def _config(args: argparse.Namespace) -> RuntimeConfig:
    return RuntimeConfig(
        data_dir=args.data_dir,
        journal_url=args.journal_url,
        stream=args.stream,
        subject=args.subject,
        replicas=args.replicas,
        snapshot_every_commands=args.snapshot_every,
        snapshot_every_seconds=args.snapshot_seconds,
        snapshots_kept=args.snapshots_kept,
        queue_bound=args.queue_bound,
        batch_max=args.batch_max,
        segment_bytes=args.segment_bytes,
        archive_removed_segments=args.archive_segments,
    )


class CliError(Exception):
    """A command that cannot run as given: one line for the operator."""


def _existing_data_dir(data_dir: Path) -> Path:
    """The data dir a reading tool was given; it must be there (a typo must not look like
    an empty, healthy journal)."""
    if not data_dir.is_dir():
        what = "is not a directory" if data_dir.exists() else "does not exist"
        raise CliError(f"the data directory {data_dir} {what}")
    return data_dir


def _file_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename is not None else ""
    return f"{where}{exc.strerror or exc}"


def _journal_source(args: argparse.Namespace) -> JournalSource:
    """The journal a `journal` tool reads: the stream of --journal-url, or the data dir's."""
    if args.journal_url is None and args.data_dir is None:
        raise CliError("give --data-dir (a file journal) or --journal-url (a JetStream stream)")
    source = JournalSource(args.data_dir, args.journal_url, args.stream, args.subject)
    if not source.uses_jetstream:
        _existing_data_dir(args.data_dir)
    return source


def _stream_error(source: JournalSource, exc: Exception) -> CliError:
    return CliError(f"cannot read {source.describe()}: {exc}")


def _verify_stream(source: JournalSource, data_dir: Path | None) -> int:
    try:
        state, problems = stream_problems(source)
    except Exception as exc:  # no stream (StreamMissing), no server: the NATS client's errors
        raise _stream_error(source, exc) from exc
    snapshots = ""
    if data_dir is not None:  # its snapshots (a stream's data dir holds no segments)
        holder = writer_of(_existing_data_dir(data_dir))
        problems += [str(p) for p in verify(data_dir, writing=holder is not None)]
        snapshots = f", {len(stats(data_dir)['snapshots'])} snapshots"
    for problem in problems:
        print(f"PROBLEM {problem}")
    if state is None or state.first_seq is None:
        held = "no records"
    else:
        held = f"{state.records} records (seqs {state.first_seq}..{state.last_seq})"
    print(
        f"{held} in {source.describe()}{snapshots}: "
        + ("OK" if not problems else f"{len(problems)} problem(s)")
    )
    return 1 if problems else 0


def _stats(args: argparse.Namespace) -> int:
    source = _journal_source(args)
    if not source.uses_jetstream:
        print(json.dumps(stats(args.data_dir)))
        return 0
    try:
        state = stream_state(source)
    except Exception as exc:  # no server, no stream, the NATS client's own errors
        raise _stream_error(source, exc) from exc
    result = {
        "stream": source.stream,
        "records": state.records,
        "first_seq": state.first_seq,
        "last_seq": state.last_seq,
        "bytes": state.bytes,
        "snapshots": []
        if args.data_dir is None
        else stats(_existing_data_dir(args.data_dir))["snapshots"],
    }
    print(json.dumps(result))
    return 0


def _verify(args: argparse.Namespace) -> int:
    source = _journal_source(args)
    if source.uses_jetstream:
        return _verify_stream(source, args.data_dir)
    data_dir = args.data_dir
    holder = writer_of(_existing_data_dir(data_dir))
    if holder is not None:
        print(
            f"a writer is running ({holder}): checking what is on disk now; the record it "
            "may be writing at the end is not a problem"
        )
    problems = verify(data_dir, writing=holder is not None)
    for problem in problems:
        print(f"PROBLEM {problem}")
    summary = stats(data_dir)
    print(
        f"{summary['records']} records in {summary['segments']} segments, "
        f"{len(summary['snapshots'])} snapshots: "
        + ("OK" if not problems else f"{len(problems)} problem(s)")
    )
    return 1 if problems else 0


def _summary(engine: Engine, records: int) -> dict[str, object]:
    totals = engine.ledger_totals()
    return {
        "records": records,
        "last_seq": engine.last_seq,
        "state_hash": engine.state_hash(),
        "ledger_sums_to_zero": not any(totals.values()),
    }


def _replay(args: argparse.Namespace) -> int:
    source = _journal_source(args)
    try:
        if not source.uses_jetstream:
            replayed = replay(args.data_dir)
            result = _summary(replayed.engine, replayed.records)
            result["torn_tail_bytes"] = replayed.torn_tail_bytes
        else:
            result = _replay_stream(source)
    except ReplayImpossible as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


def _replay_stream(source: JournalSource) -> dict[str, object]:
    """Replay the stream from seq 1 with a fresh engine; the stream is only read (never
    created, as opening it for writing would)."""
    engine = Engine()
    apply = engine.apply
    count = 0
    try:
        for record in source.records():
            apply(record.seq, record.time, decode_command(record.payload))
            count += 1
    except (JournalCorrupted, OSError, ReplayImpossible):
        raise
    except Exception as exc:  # the NATS client's own errors: no server, no stream
        raise CliError(f"cannot replay {source.describe()}: {exc}") from exc
    return _summary(engine, count)


def _por(args: argparse.Namespace) -> int:
    if args.por_command == "verify":
        arguments = [str(args.proof)] + ([] if args.root is None else ["--root", str(args.root)])
        return por_verify.main(arguments)
    data_dir = _existing_data_dir(args.data_dir)
    try:
        if args.por_command == "publish":
            por_dir = args.por_dir or data_dir / POR_DIR

            def gather() -> tuple[Ledger, Stated]:
                ledger = current_liabilities(data_dir)
                return ledger, _published_reserves(args, ledger.assets)

            built = publish(por_dir, gather)
            where = f"served from {por_dir / 'current'}"
        else:
            ledger = current_liabilities(data_dir)
            stated = Stated()
            if args.reserves is not None:
                stated = read_reserves(args.reserves, ledger.assets)
            built = build_reserves(ledger, args.out, stated)
            where = (
                f"{args.out / 'root.json'} to publish, {args.out / 'proofs'}/<account>.json "
                "to hand to each account alone (secret salts)"
            )
    except (ReplayImpossible, ReservesError, NegativeBalance) as exc:
        raise CliError(str(exc)) from exc
    print(f"root {built.root['hash']}")
    print(f"as of seq {built.ledger.seq}: {built.proofs} accounts, {where}")
    print("\n".join(ratios(built)))
    return 0


def _published_reserves(args: argparse.Namespace, assets: Sequence[tuple[str, int]]) -> Stated:
    """The reserves of `por publish`: a file, none, or the running server's custody read
    from the chain now (none, said so, when the server runs without custody)."""
    from assetport.admin_client import AdminError, call

    if args.reserves is not None:
        return read_reserves(args.reserves, assets)
    if args.no_reserves:
        return Stated()
    try:
        answer = call(args.data_dir, "/api/v1/admin/custody/reserves", {})
    except AdminError as exc:
        if exc.status == 404:  # no custody endpoints: a platform without a chain
            print("the server runs without custody: no on-chain reserves stated")
            return Stated()
        raise CliError(
            f"on-chain reserves: {exc} (or give --reserves FILE, or --no-reserves)"
        ) from exc
    return parse_reserves(answer, assets, "the server's custody")


def _readable_files(args: argparse.Namespace, *names: str) -> None:
    """Every file option given names a file this user can read: said here, by its option,
    rather than by whatever library would open it later (TLS says no file name at all)."""
    for name in names:
        path = getattr(args, name, None)
        if path is None:
            continue
        option = "--" + name.replace("_", "-")
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise CliError(f"{option}: cannot read {_file_error(exc)}") from exc


def _engine_serve(args: argparse.Namespace) -> int:
    config = _config(args)
    on_primary = None
    if args.db is not None:  # the read model's child, as `serve` runs it (server/read_model.py)
        from assetport.server.read_model import engine_read_model

        on_primary = engine_read_model(config, args.db)
    return run_engine_process(
        config, args.host, args.port, standby=args.standby, on_primary=on_primary
    )


def _serve(args: argparse.Namespace) -> int:
    from assetport.server.serve import ServeOptions, run_server

    _readable_files(args, "config", "tls_cert", "tls_key")
    return run_server(
        ServeOptions(
            data_dir=args.data_dir,
            host=args.host,
            port=args.port,
            config=args.config,
            demo=args.demo,
            journal_url=args.journal_url,
            stream=args.stream,
            subject=args.subject,
            replicas=args.replicas,
            db_url=args.db,
            accounts=account_settings(args),
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            trusted_proxies=tuple(args.trusted_proxy),
            engine=args.engine,
            por_dir=args.por_dir,
            por_every_s=args.por_every,
            chain_rpc=args.chain_rpc,
            no_chain=args.no_chain,
            fix_port=args.fix_port,
            fix_drop_copy_port=args.fix_drop_copy_port,
            shared_db=args.shared_db,
            secrets_key_file=args.secrets_key_file,
        )
    )


def _new_secrets_key(path: Path) -> int:
    from assetport.edge.secrets_key import write_new_key_file

    try:
        write_new_key_file(path)
    except FileExistsError:
        raise CliError(f"{path} exists: a secrets key file is never replaced") from None
    print(f"secrets key written to {path}: give it to every gateway (--secrets-key-file)")
    return 0


def _admin(args: argparse.Namespace) -> int:
    from assetport.admin_client import AdminError, call, call_text

    if args.admin_command == "operator":
        return _operators(args)
    if args.admin_command == "issuer-agent":
        return run_issuer_agents(args, _existing_data_dir(args.data_dir))
    if args.admin_command == "document":
        return run_document(args, _existing_data_dir(args.data_dir))
    if args.admin_command == "custody":
        path, body, token = _custody_request(args)
        try:
            if body.get("format") == "csv":
                print(call_text(args.data_dir, path, body), end="")
            else:
                print(json.dumps(call(args.data_dir, path, body, token=token), indent=2))
        except AdminError as exc:
            print(f"assetport: {exc}", file=sys.stderr)
            return 1
        return 0
    path, body = _admin_request(args)
    try:
        print(json.dumps(call(args.data_dir, path, body), indent=2))
    except AdminError as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1
    return 0


OPERATOR_TOKEN_ENV = "ASSETPORT_OPERATOR_TOKEN"


def _operators(args: argparse.Namespace) -> int:
    """The named operators live in the data directory: no server is needed."""
    from assetport.custody.operators import OperatorError, Operators

    operators = Operators.open(_existing_data_dir(args.data_dir))
    try:
        if args.operator_command == "add":
            token = operators.add(args.name)
            print(f"operator {args.name} added; their token (shown this once, keep it secret):")
            print(token)
        elif args.operator_command == "remove":
            operators.remove(args.name)
            print(f"operator {args.name} removed")
        else:
            listed = [
                {"name": o.name, "added_at_ms": o.added_at_ms} for o in operators.registered()
            ]
            print(json.dumps(listed, indent=2))
    except OperatorError as exc:
        raise CliError(str(exc)) from exc
    return 0


def _custody_request(args: argparse.Namespace) -> tuple[str, dict[str, object], str | None]:
    """(path, body, operator token or None for the admin token) of `admin custody ...`."""
    prefix = "/api/v1/admin/custody"
    command = args.custody_command
    if command in ("withdrawals", "sweeps", "status", "refills", "reserves", "supply"):
        return f"{prefix}/{command}", {}, None
    if command == "report":
        return f"{prefix}/report", {"format": "csv" if args.csv else "json"}, None
    if command == "risk-hold":
        body = {"user_id": args.user_id, "held": args.held, "reason": args.reason}
        return f"{prefix}/risk-hold", body, None
    token = args.token or os.environ.get(OPERATOR_TOKEN_ENV)
    if not token:
        raise CliError(
            f"{command} needs the operator's own token: --token or ${OPERATOR_TOKEN_ENV}"
        )
    if command == "approve":
        return f"{prefix}/withdrawals/approve", {"id": args.id}, token
    if command == "reject":
        return f"{prefix}/withdrawals/reject", {"id": args.id, "reason": args.reason}, token
    if command == "refill":
        return f"{prefix}/refill", {"asset": args.asset, "amount": args.amount}, token
    return f"{prefix}/refill/approve", {"id": args.id}, token


def _admin_request(args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    if args.admin_command == "issuance":
        return issuance_request(args)
    if args.admin_command == "status":
        return "/api/v1/admin/status", {}
    if args.admin_command == "account":
        return "/api/v1/admin/accounts/verify", {"email": args.email}
    if args.admin_command == "user":
        return "/api/v1/admin/users", {"name": args.name}
    if args.admin_command == "deposit":
        body: dict[str, object] = {
            "user_id": args.user_id,
            "asset": args.asset,
            "amount": args.amount,
        }
        if args.ref:
            body["ref"] = args.ref
        return "/api/v1/admin/deposits", body
    if args.admin_command == "stp":
        return "/api/v1/admin/markets/stp", {
            "symbol": args.symbol,
            "default_stp": args.default_stp,
            "allow_stp_none": args.allow_none,
        }
    body = {
        "user_id": args.user_id,
        "permissions": [p.strip() for p in args.permissions.split(",") if p.strip()],
        "ip_allow": args.ip_allow,
    }
    if args.ed25519_public_key is not None:
        body["ed25519_public_key"] = _public_key_text(args.ed25519_public_key)
    return "/api/v1/admin/apikeys", body


def _public_key_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read the public key file: {_file_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not a PEM public key (not text)") from exc


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["reconcile"]:
        # The read model's own command line (store/reconcile.py) takes it from here.
        from assetport.store.reconcile import main as reconcile

        return reconcile(arguments[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "admin":
            return _admin(args)
        if args.command == "engine-serve":
            return _engine_serve(args)
        if args.command == "engine-status":
            return _engine_status(args.engine, full=args.hash)
        if args.command == "por":
            return _por(args)
        if args.command == "attest":
            return run_attest(args)
        if args.command == "nft":
            return run_nft(args)
        if args.command == "secrets-key":
            return _new_secrets_key(args.out)
        if args.tool == "verify":
            return _verify(args)
        if args.tool == "stats":
            return _stats(args)
        return _replay(args)
    except (JournalCorrupted, CliError, ToolError) as exc:
        print(f"assetport: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"assetport: {_file_error(exc)}", file=sys.stderr)
        return 1


def _engine_status(addresses: str, *, full: bool) -> int:
    """One JSON line per engine process (exit 1 if none answers as primary): what an
    operator or a supervisor polls, e.g. for a standby's lag."""
    try:
        parsed = parse_addresses(addresses)
    except ValueError as exc:
        raise CliError(f"--engine: {exc}") from None
    statuses = asyncio.run(engine_statuses(parsed, full=full))
    for status in statuses:
        print(json.dumps(status), flush=True)
    return 0 if any(status["role"] == "primary" for status in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())

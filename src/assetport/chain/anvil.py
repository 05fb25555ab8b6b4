"""The embedded chain node: anvil from npm (`chain/package.json`, pinned), started on
127.0.0.1 for development, the sandbox and the tests.

The platform binary is run directly (the npm wrapper adds ~100 ms and outlives SIGTERM).
Its state lives in a directory Assetport owns: `--state` (dumped every second, so a
`kill -9` loses at most a second of blocks) and `--cache-path` (anvil's default cache
fills `~/.foundry` by gigabytes). The hardfork is pinned with the contracts' `evmVersion`:
OpenZeppelin 5.5 and later uses `mcopy`, so the contracts need Cancun or newer.

Nothing else in Assetport depends on anvil: every other module speaks JSON-RPC to a URL.
"""

import ctypes
import os
import platform
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Self

HARDFORK: Final = "cancun"  # the contracts' evmVersion (chain/compile.mjs): keep them equal
CHAIN_ID: Final = 31337
# anvil's default dev accounts come from this well-known mnemonic: a test chain's only.
DEV_MNEMONIC: Final = "test test test test test test test test test test test junk"
START_TIMEOUT_S: Final = 15.0
PR_SET_PDEATHSIG: Final = 1  # prctl(2)
_LISTENING = re.compile(r"Listening on 127\.0\.0\.1:(\d+)")
_CHAIN_DIR = Path(__file__).resolve().parents[3] / "chain"


class AnvilMissing(RuntimeError):
    """The anvil binary is not installed (`make chain` installs it)."""


def binary() -> Path:
    """The platform binary of the pinned anvil: `$ASSETPORT_ANVIL`, or the one npm put
    under `chain/node_modules`."""
    configured = os.environ.get("ASSETPORT_ANVIL")
    if configured:
        return Path(configured)
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system(), "unknown")
    machine = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine(), "unknown"
    )
    path = _CHAIN_DIR / "node_modules" / "@foundry-rs" / f"anvil-{system}-{machine}" / "bin"
    path = path / "anvil"
    if not path.exists():
        raise AnvilMissing(f"anvil is not installed at {path}: run `make chain`")
    return path


@dataclass
class Anvil:
    """A running anvil node: `url` for JSON-RPC; `stop()` (or the `with` block) ends it."""

    process: subprocess.Popen[bytes]
    port: int
    state_dir: Path
    log: Path
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls,
        state_dir: Path,
        *,
        port: int = 0,
        block_time_s: float | None = None,
        chain_id: int = CHAIN_ID,
        persist: bool = True,
        extra: list[str] | None = None,
    ) -> Self:
        """Start a node whose state is kept in `state_dir` (made 0700): automining one
        block per transaction unless `block_time_s` is given. With `persist` the chain is
        dumped to `state_dir/state.json` each second and loaded from it at the next start."""
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        args = [
            str(binary()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--hardfork",
            HARDFORK,
            "--chain-id",
            str(chain_id),
            "--mnemonic",
            DEV_MNEMONIC,
            "--cache-path",
            str(state_dir / "cache"),
            "--max-persisted-states",
            "0",
        ]
        if persist:
            args += ["--state", str(state_dir / "state.json"), "--state-interval", "1"]
        if block_time_s is not None:
            args += ["--block-time", str(block_time_s)]
        args += extra or []
        log = state_dir / "anvil.log"
        with log.open("ab") as out:
            offset = out.tell()  # the log is kept across starts: read this one's lines
            process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        return cls(process, _wait_for_port(process, log, offset), state_dir, log, extra or [])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child, before anvil runs: on Linux, ask the kernel to end it when the process
    that started it dies, even by `kill -9` (no node left running on the data dir's state,
    which the next start would run a second node over)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_for_port(process: subprocess.Popen[bytes], log: Path, offset: int) -> int:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        with log.open("rb") as lines:
            lines.seek(offset)
            found = _LISTENING.search(lines.read().decode("utf-8", errors="replace"))
        if found and process.poll() is None:
            return int(found.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"anvil exited with {process.returncode}: see {log}")
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"anvil did not start within {START_TIMEOUT_S} s: see {log}")

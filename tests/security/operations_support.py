"""Real `assetport` processes for the operations tests (a plain module, not a test file).

`Writer` starts `serve` or `engine-serve` on a free port and reads its ready line; `run_cli`
runs any other subcommand to completion. Both pass the environment on, so a PYTHONPATH that
points at another source tree reaches the child too.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "assetport.cli", *arguments]


def run_cli(*arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*arguments), capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=ENV
    )


class Writer:
    """`assetport serve` or `engine-serve` on `data_dir`, started by `start`."""

    def __init__(self, kind: str, data_dir: Path, *extra: str) -> None:
        assert kind in ("serve", "engine-serve")
        self.kind = kind
        self.data_dir = data_dir
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.ready: dict[str, Any] = {}
        self.stderr_path = data_dir.parent / f"{data_dir.name}-{kind}.err"

    def launch(self) -> subprocess.Popen[str]:
        """Start the process; `ready_line` then reads how it began."""
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                command(self.kind, "--data-dir", str(self.data_dir), "--port", "0", *self.extra),
                stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT, env=ENV,
            )  # fmt: skip
        return self.process

    def ready_line(self) -> dict[str, Any] | None:
        """The ready line, or None when the process ended without one."""
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=60)
            return None
        self.ready = json.loads(line)
        return self.ready

    def start(self) -> "Writer":
        self.launch()
        try:
            if self.ready_line() is None:
                raise RuntimeError(f"{self.kind} did not start: {self.stderr()}")
        except BaseException:
            self.kill()
            raise
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def stop(self, number: int = signal.SIGTERM) -> int:
        """Send `number` and wait for the exit code."""
        assert self.process is not None
        self.process.send_signal(number)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=60)
        self._close()

    def _close(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

"""Assetport: an integrated digital-asset exchange with a Binance-compatible API."""

from pathlib import Path

__version__ = "0.1.0"


def _refuse_stale_native_modules() -> None:
    """A compiled module older than its source would run old code: refuse to start.

    `make native` (which `make test`, `make run` and `make bench` call) rebuilds them;
    `make pure` removes them.
    """
    package = Path(__file__).parent
    for compiled in package.rglob("*.so"):
        source = compiled.with_name(compiled.name.split(".", 1)[0] + ".py")
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            raise ImportError(
                f"{compiled.name} is older than {source.name}: run `make native` to rebuild "
                "the compiled engine, or `make pure` to run it as plain Python"
            )


_refuse_stale_native_modules()

"""One server with both FIX ports for the FIX tests (every module of this folder)."""

from collections.abc import Iterator

import pytest
from fix_support import LISTING, ExchangeServer, Ports


@pytest.fixture(scope="package")
def fix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ports]:
    root = tmp_path_factory.mktemp("fix")
    listing = root / "listing.toml"
    listing.write_text(LISTING, encoding="utf-8")
    args = ("--config", str(listing), "--fix-port", "0", "--fix-drop-copy-port", "0")
    with ExchangeServer(root / "data", *args) as server:
        yield Ports(server)

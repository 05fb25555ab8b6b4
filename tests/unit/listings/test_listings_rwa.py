"""A listing file names a token backed by a real-world asset with its kind and issuer, and
the engine lists it so; a kind or issuer that does not fit is one clear line."""

from pathlib import Path

import pytest

from assetport.domain.assets import AssetKind
from assetport.engine.engine import Engine
from assetport.listings import ListingError, load_listings

GOLD = '[[assets]]\ncode = "AUG"\nprecision = 4\nkind = "rwa_token"\nissuer = 101\n'


def test_an_rwa_token_is_listed_with_its_issuer(tmp_path: Path) -> None:
    path = tmp_path / "listing.toml"
    path.write_text(GOLD)
    engine = Engine()
    for seq, command in enumerate(load_listings(path).commands(), start=1):
        engine.apply(seq, 0, command)
    gold = engine.assets["AUG"]
    assert (gold.kind, gold.issuer) == (AssetKind.RWA_TOKEN, 101)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (GOLD.replace('"rwa_token"', '"bond"'), "kind is one of fiat, coin, rwa_token"),
        (GOLD.replace("issuer = 101\n", ""), "an rwa_token names its issuer"),
        (GOLD.replace('kind = "rwa_token"\n', ""), "no other kind has one"),
        (GOLD.replace("issuer = 101", 'issuer = "101"'), "issuer is an account number"),
        (GOLD.replace("issuer = 101", "issuer = 1000"), "an issuer must be an issuer treasury"),
    ],
)
def test_a_kind_or_issuer_that_does_not_fit_is_refused(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "listing.toml"
    path.write_text(text)
    with pytest.raises(ListingError, match=needle):
        load_listings(path)

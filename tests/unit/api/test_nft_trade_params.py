"""The NFT endpoints' list parameters (api/rest_nft_trade.py): a royalty's splits and a
mint's items arrive as JSON in one parameter. Whatever a client sends, the answer is the
parsed value within the domain's rules or a Binance-style error (never another exception),
and a refusal says what was wrong."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.api.errors import ApiError
from assetport.api.params import INT64_MAX, Params
from assetport.api.rest_nft_trade import items_param, royalty_param, trait_param
from assetport.domain.nft.collections import RoyaltyShare, Standard
from assetport.domain.nft.items import ItemSpec, Trait, item_problem

CREATOR = 1000


def error_of(call: Any) -> tuple[int, str]:
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code, info.value.msg


def royalty(bps: str | None, splits: str | None) -> tuple[RoyaltyShare, ...]:
    values = {name: value for name, value in (("royaltyBps", bps), ("royaltySplits", splits))
              if value is not None}  # fmt: skip
    return royalty_param(Params(values), CREATOR)


def items(text: str, standard: Standard = Standard.ERC721) -> tuple[ItemSpec, ...]:
    return items_param(Params({"items": text}), standard)


def test_a_royalty_split_2_to_1_and_the_default_to_the_creator() -> None:
    splits = json.dumps([{"account": 1000, "bps": 500}, {"account": 1001, "bps": 250}])
    assert royalty("750", splits) == (RoyaltyShare(1000, 500), RoyaltyShare(1001, 250))
    assert royalty("300", None) == (RoyaltyShare(CREATOR, 300),)
    assert royalty(None, None) == ()


def test_a_royalty_that_breaks_a_rule_says_which() -> None:
    splits = json.dumps([{"account": 1000, "bps": 500}])
    assert error_of(lambda: royalty("750", splits)) == (
        -1130,
        "Data sent for parameter 'royaltySplits' is not valid: royaltySplits must sum to "
        "royaltyBps.",
    )
    code, msg = error_of(lambda: royalty("1001", None))
    assert code == -7112 and "at most 10 % (1000 basis points)" in msg
    eleven = json.dumps([{"account": 1000 + i, "bps": 1} for i in range(11)])
    code, msg = error_of(lambda: royalty("11", eleven))
    assert code == -7112 and "at most 10 receivers" in msg
    for bad in ("", "[", "{}", '[{"account": 1000}]', '[{"account": 1000, "bps": 1, "x": 1}]',
                '[{"account": 0, "bps": 1}]', f'[{{"account": {INT64_MAX + 1}, "bps": 1}}]',
                '[{"account": 1000, "bps": -1}]', "[" * 40 + "]" * 40):  # fmt: skip
        code, _ = error_of(lambda bad=bad: royalty("1", bad))
        assert code in (-1105, -1130), bad


@settings(max_examples=300)
@given(bps=st.integers(0, 2000) | st.just(INT64_MAX), splits=st.text(max_size=200))
def test_any_royalty_text_is_parsed_or_refused(bps: int, splits: str) -> None:
    try:
        parsed = royalty(str(bps), splits)
    except ApiError as error:
        assert error.http_status == 400
        return
    assert sum(share.bps for share in parsed) == bps <= 1000


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["account", "bps", "x", "tokenId", "name"]), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(value=_json)
def test_any_royalty_json_is_parsed_or_refused(value: Any) -> None:
    try:
        parsed = royalty("5", json.dumps(value))
    except ApiError:
        return
    # What the journal can hold and sums as asked; the receivers' own rules (each named once,
    # each with a share) are the domain's, checked with the rest of the collection.
    assert sum(share.bps for share in parsed) == 5
    assert all(1 <= share.account <= INT64_MAX and share.bps >= 0 for share in parsed)


def item(token_id: int, **fields: Any) -> dict[str, Any]:
    return {"tokenId": token_id, "name": f"#{token_id}", **fields}


def test_items_in_the_erc721_metadata_shape() -> None:
    pink = {"trait_type": "Background", "value": "Pink"}
    parsed = items(json.dumps([item(1, attributes=[pink], image="ab" * 32), item(2)]))
    assert parsed == (
        ItemSpec(1, 1, "#1", "", "ab" * 32, (Trait("Background", "Pink"),)),
        ItemSpec(2, 1, "#2", "", ""),
    )
    game = items(json.dumps([item(7, supply=100)]), Standard.ERC1155)
    assert game[0].supply == 100


def test_items_that_break_a_rule_say_which_item_and_rule() -> None:
    code, msg = error_of(lambda: items(json.dumps([item(1), item(2, supply=2)])))
    assert code == -7114 and "Item 1: an ERC-721 item is unique" in msg
    code, msg = error_of(lambda: items(json.dumps([item(1, name="a\u202eb")])))
    assert code == -7114 and "printable" in msg
    code, msg = error_of(lambda: items(json.dumps([item(i) for i in range(1001)])))
    assert code == -7114 and "1 to 1000 items" in msg
    assert error_of(lambda: items(json.dumps([item(1), item(1)])))[0] == -7115
    code, msg = error_of(lambda: items(json.dumps([item(1, colour="red")])))
    assert code == -1130 and "colour" in msg
    code, msg = error_of(lambda: items(json.dumps([{"name": "no id"}])))
    assert code == -1130 and "tokenId" in msg
    assert error_of(lambda: items("x" * (65 * 1024)))[0] == -1130
    assert error_of(lambda: items("[" * 10 + "]" * 10))[0] == -1130


@settings(max_examples=300)
@given(value=_json)
def test_any_items_json_is_parsed_or_refused(value: Any) -> None:
    try:
        parsed = items(json.dumps(value), Standard.ERC1155)
    except ApiError as error:
        assert error.http_status in (400, 409)
        return
    assert all(item_problem(spec, Standard.ERC1155) is None for spec in parsed)


@settings(max_examples=300)
@given(text=st.text(max_size=300))
def test_any_items_text_is_parsed_or_refused(text: str) -> None:
    try:
        parsed = items(text)
    except ApiError:
        return
    assert all(item_problem(spec, Standard.ERC721) is None for spec in parsed)


def test_a_trait_is_both_its_type_and_its_value() -> None:
    assert trait_param(Params({"traitType": "Background", "traitValue": "Pink"})) == Trait(
        "Background", "Pink"
    )
    assert trait_param(Params({})) is None
    assert error_of(lambda: trait_param(Params({"traitType": "Background"})))[0] == -1128

"""The public NFT market's own parameter parsers (`api/rest_nft_market.py`): the traits of an
item page (`trait=Type:Value`, or `traits` as a JSON array) and an activity cursor. Whatever
a client sends, the answer is the parsed value or Binance's -1128 / -1130: never another
exception (hypothesis)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetport.api.errors import ApiError
from assetport.api.rest_nft_market import activity_cursor, trait_texts


def test_traits_one_or_several() -> None:
    assert trait_texts(None, None) == []
    assert trait_texts("Background:Pink", None) == ["Background:Pink"]
    # A value may hold a colon; the first one splits (the view tries the others too).
    assert trait_texts("Time:12:30", None) == ["Time:12:30"]
    assert trait_texts(None, '["Eyes:Laser", "Background:Pink"]') == [
        "Eyes:Laser",
        "Background:Pink",
    ]


@pytest.mark.parametrize(
    ("one", "many", "code"),
    [
        ("Background", None, -1130),
        (":Pink", None, -1130),
        ("Background:", None, -1130),
        ("a:" + "b" * 200, None, -1130),
        (None, "[]", -1130),
        (None, json.dumps([f"t{i}:v" for i in range(33)]), -1130),
        (None, '["a:b", 3]', -1130),
        (None, '{"a": "b"}', -1130),
        (None, "[" * 10_000, -1130),
        (None, '["a:b"' + " " * 9000 + "]", -1130),
        ("a:b", '["a:b"]', -1128),
    ],
)
def test_traits_refused(one: str | None, many: str | None, code: int) -> None:
    with pytest.raises(ApiError) as refused:
        trait_texts(one, many)
    assert (refused.value.code, refused.value.http_status) == (code, 400)


@given(st.one_of(st.none(), st.text(max_size=300)), st.one_of(st.none(), st.text(max_size=300)))
def test_traits_any_text(one: str | None, many: str | None) -> None:
    try:
        texts = trait_texts(one, many)
    except ApiError as refused:
        assert refused.code in (-1128, -1130)
        return
    for text in texts:
        trait_type, colon, value = text.partition(":")
        assert colon and trait_type and value


@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=40))
def test_traits_any_json_array(values: list[str]) -> None:
    try:
        texts = trait_texts(None, json.dumps(values))
    except ApiError as refused:
        assert refused.code == -1130
        return
    assert texts == values


def test_activity_cursors() -> None:
    assert activity_cursor(None) is None
    assert activity_cursor("12.3") == (12, 3)
    for bad in ("12", "12-3", "12.3.4", "a.b", "-1.2", "1.²", "9" * 20 + ".1", "", ".", "1."):
        with pytest.raises(ApiError) as refused:
            activity_cursor(bad)
        assert refused.value.code == -1130, bad


@given(st.text(max_size=60))
def test_activity_cursor_any_text(text: str) -> None:
    try:
        found = activity_cursor(text)
    except ApiError as refused:
        assert refused.code == -1130
        return
    seq, line = text.split(".")
    assert found == (int(seq), int(line))

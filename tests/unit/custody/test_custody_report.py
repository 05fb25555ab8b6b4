"""The custody report's arithmetic: the trailing one-year average price from daily candles,
values at that price, the cold share against the 80 % rule (deposit addresses count as
online), the 5 % hack reserve, unvalued assets left out rather than valued at zero, values
rounded down and never through a float, and the CSV a spreadsheet reads."""

import csv
import io
from fractions import Fraction

from assetport.custody.report import (
    AVERAGE_DAYS,
    DAY_MS,
    Holdings,
    Price,
    average_price,
    custody_report,
    report_csv,
    shown,
    yearly_average,
)
from assetport.domain.candles import Candle

ETH = 10**18  # one ETH in wei
NOW = 1_800_000_000_000


def daily(closes: list[int], last_open_ms: int) -> list[Candle]:
    """Daily candles closing at `closes`, the last one opened at `last_open_ms`."""
    first = last_open_ms - (len(closes) - 1) * DAY_MS
    return [
        Candle(first + i * DAY_MS, first + (i + 1) * DAY_MS - 1, close)
        for i, close in enumerate(closes)
    ]


def eth(deposit: int, hot: int, cold: int | None, liabilities: int = 0) -> Holdings:
    return Holdings("ETH", 18, 8, deposit * ETH, hot * ETH, None if cold is None else cold * ETH,
                    liabilities * 10**8)  # fmt: skip


def test_the_average_is_over_the_last_365_days_of_closes_only() -> None:
    # 400 days of candles: the 35 oldest (at 1,000,000 KRW) fall outside the year.
    closes = [1_000_000] * 35 + [3_000_000] * 182 + [4_000_000] * 183
    price = yearly_average(daily(closes, NOW - NOW % DAY_MS), NOW, quote_precision=0)
    assert price == Price(Fraction(3_000_000 * 182 + 4_000_000 * 183, 365), AVERAGE_DAYS)
    # A market younger than a year averages the days it has.
    young = yearly_average(daily([10, 20, 40], NOW - NOW % DAY_MS), NOW, quote_precision=0)
    assert young == Price(Fraction(70, 3), 3)
    # No candles: no price (not zero).
    assert yearly_average([], NOW, quote_precision=0) is None


def test_prices_in_quote_units_become_krw_per_whole_unit_exactly() -> None:
    # Closes in a quote asset with 2 decimals: 12345 units = 123.45 KRW.
    assert average_price([12_345, 12_346], quote_precision=2) == Price(Fraction(246_91, 200), 2)
    assert shown(Fraction(246_91, 200), 2) == "123.45"  # 123.455 rounded down


def test_cold_share_counts_deposit_addresses_as_online_and_passes_at_80_percent() -> None:
    price = {"ETH": Price(Fraction(5_000_000), 365)}
    # 1 ETH on deposit addresses, 1 hot, 8 cold: exactly 80 % cold.
    report = custody_report([eth(1, 1, 8, liabilities=10)], price, 0, as_of_ms=NOW,
                            cold_address="0xc0", hot_address="0xh0")  # fmt: skip
    totals = report["totals"]
    assert totals["onlineValue"] == "10000000"
    assert totals["coldValue"] == "40000000"
    assert totals["value"] == "50000000"
    assert (totals["coldShare"], totals["coldRule"]) == ("80.00", "PASS")
    assert totals["hackReserve"] == "500000"  # 5 % of the 10,000,000 online
    line = report["assets"][0]
    assert (line["depositAddresses"], line["hotWallet"], line["coldWallet"]) == (
        "1.000000000000000000", "1.000000000000000000", "8.000000000000000000",
    )  # fmt: skip
    assert (line["liabilities"], line["reserveRatio"]) == ("10.00000000", "100.00")

    # One more wei online tips it under 80 %.
    nudged = eth(1, 1, 8)
    nudged = Holdings("ETH", 18, 8, nudged.deposit + 1, nudged.hot, nudged.cold, 0)
    report = custody_report([nudged], price, 0, as_of_ms=NOW, cold_address="0xc0",
                            hot_address="0xh0")  # fmt: skip
    assert (report["totals"]["coldShare"], report["totals"]["coldRule"]) == ("79.99", "FAIL")


def test_an_asset_without_a_price_is_unvalued_not_zero() -> None:
    kcu = Holdings("KCU", 18, 4, 0, 7 * ETH, 0, 0)
    prices = {"ETH": Price(Fraction(1_000), 365), "KCU": None}
    report = custody_report([eth(0, 1, 9), kcu], prices, 0, as_of_ms=NOW, cold_address="0xc0",
                            hot_address="0xh0")  # fmt: skip
    assert report["unvalued"] == ["KCU"]
    kcu_line = report["assets"][1]
    assert (kcu_line["value"], kcu_line["hotWallet"]) == (None, "7.000000000000000000")
    assert "value unknown" in kcu_line["valueNote"]
    # The share is over what has a value: 9,000 of 10,000 KRW.
    assert (report["totals"]["coldShare"], report["totals"]["coldRule"]) == ("90.00", "PASS")
    assert report["totals"]["hackReserve"] == "50"


def test_without_a_cold_address_nothing_is_cold_and_the_rule_fails() -> None:
    report = custody_report([eth(2, 3, None)], {"ETH": Price(Fraction(7), 1)}, 0, as_of_ms=NOW,
                            cold_address=None, hot_address="0xh0")  # fmt: skip
    assert report["assets"][0]["coldWallet"] is None
    assert (report["totals"]["coldShare"], report["totals"]["coldRule"]) == ("0.00", "FAIL")
    assert report["totals"]["hackReserve"] == "1"  # 5 % of 35 KRW = 1.75, rounded down
    # Nothing valued at all: no share, and the rule cannot pass.
    empty = custody_report([], {}, 0, as_of_ms=NOW, cold_address=None, hot_address="0xh0")
    assert (empty["totals"]["coldShare"], empty["totals"]["coldRule"]) == (None, "FAIL")


def test_the_csv_has_a_row_per_asset_the_totals_and_the_rules() -> None:
    prices = {"ETH": Price(Fraction(5_000_000), 365), "KCU": None}
    kcu = Holdings("KCU", 18, 4, 0, ETH, 0, 0)
    report = custody_report([eth(1, 1, 8), kcu], prices, 0, as_of_ms=NOW, cold_address="0xc0",
                            hot_address="0xh0")  # fmt: skip
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    header = rows[0]
    by_asset = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:4]}
    assert by_asset["ETH"]["coldWallet"] == "8.000000000000000000"
    assert by_asset["ETH"]["coldShare"] == "80.00"
    assert by_asset["KCU"]["value"] == ""
    assert by_asset["TOTAL"]["value"] == "50000000"
    rules = {row[0]: row for row in rows[5:] if row}
    assert rules["cold share"][1:] == ["80.00", "80.00", "PASS"]
    assert rules["hack reserve (5% of online value)"][1] == "500000"
    assert rules["unvalued (no KRW price)"][1] == "KCU"

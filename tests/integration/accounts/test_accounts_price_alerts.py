"""Price alerts by email over real HTTP: the account endpoints that set, list and remove
them, and a trade that reaches one making exactly one mail, read from a real SMTP server,
with the anti-phishing code."""

import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from account_web_client import PASSWORD, ExchangeServer, WebUser, account_server

ALERTS = "/price-alerts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("price-alerts") / "data") as running:
        yield running


def funded(server: ExchangeServer, email: str, asset: str, amount: str) -> WebUser:
    web = WebUser(server)
    user_id = web.sign_up(email)["userId"]
    server.admin("/api/v1/admin/deposits", user_id=user_id, asset=asset, amount=amount)
    return web


def order(web: WebUser, side: str, quantity: str, price: str) -> dict[str, Any]:
    params = {"symbol": "KGLDKRW", "side": side, "type": "LIMIT", "timeInForce": "GTC",
              "quantity": quantity, "price": price}  # fmt: skip
    status, answer = web.call("POST", "/api/v3/order?" + urllib.parse.urlencode(params))
    assert status == 200, answer
    return dict(answer)


def refused(answer: tuple[int, Any]) -> tuple[int, int]:
    status, body = answer
    return status, body["code"]


def test_a_trade_that_reaches_an_alert_mails_its_owner_once(server: ExchangeServer) -> None:
    ana = funded(server, "ana.alerts@example.com", "KRW", "10000000")
    bob = funded(server, "bob.alerts@example.com", "KGLD", "100")
    status, _ = ana.account("POST", "/anti-phishing", {"code": "Alert77", "password": PASSWORD})
    assert status == 200
    # A fresh server: no trade yet, so no side to wait on.
    wanted = {"symbol": "KGLDKRW", "price": "110000"}
    assert refused(ana.account("POST", ALERTS, wanted)) == (409, -8043)

    order(bob, "SELL", "1", "100000")
    assert order(ana, "BUY", "1", "100000")["status"] == "FILLED"  # the last price: 100000

    assert refused(ana.account("POST", ALERTS, {"symbol": "NOPE", "price": "1"})) == (400, -8040)
    assert refused(ana.account("POST", ALERTS, {**wanted, "price": "110005"})) == (400, -8041)
    assert refused(ana.account("POST", ALERTS, {**wanted, "price": "100000"})) == (400, -8042)
    assert refused(ana.call("POST", "/api/v1/account" + ALERTS, wanted, csrf=False)) == (
        403, -8009,
    )  # fmt: skip
    assert refused(WebUser(server).account("GET", ALERTS)) == (401, -8008)
    unverified = WebUser(server)
    unverified.sign_up_only("cy.alerts@example.com")
    assert unverified.log_in("cy.alerts@example.com")[0] == 200
    assert refused(unverified.account("POST", ALERTS, wanted)) == (403, -8046)

    status, alert = ana.account("POST", ALERTS, wanted)
    assert status == 200, alert
    assert (alert["direction"], alert["price"], alert["fired"]) == ("up", "110000", False)
    assert alert["antiPhishingCode"] == "Alert77"
    status, far = ana.account("POST", ALERTS, {**wanted, "price": "50000"})
    assert far["direction"] == "down"

    # One command of two trades beyond the alert's price, then another trade: one mail.
    order(bob, "SELL", "1", "110000")
    order(bob, "SELL", "1", "111000")
    assert order(ana, "BUY", "2", "111000")["status"] == "FILLED"
    order(bob, "SELL", "1", "112000")
    order(ana, "BUY", "1", "112000")
    mail = server.mailbox.wait_for("ana.alerts@example.com", "Price alert")  # type: ignore[attr-defined]
    assert mail.subject == "[Alert77] Assetport: Price alert: KGLD/KRW rose to 110000 KRW"
    assert mail.text.startswith("Your anti-phishing code: Alert77")
    assert "A trade on KGLD/KRW at 110000 KRW" in mail.text
    assert f"{server.base_url}/trade/KGLDKRW" in mail.text
    time.sleep(1.0)  # time for a second mail, were one sent
    alert_mails = [
        m for m in server.mailbox.to("ana.alerts@example.com")  # type: ignore[attr-defined]
        if "Price alert" in m.subject
    ]  # fmt: skip
    assert len(alert_mails) == 1

    status, listed = ana.account("GET", ALERTS)
    assert status == 200 and listed["maxActive"] == 20
    by_id = {a["id"]: a for a in listed["priceAlerts"]}
    assert by_id[alert["id"]]["fired"] is True
    assert by_id[alert["id"]]["firedPrice"] == "110000"
    assert by_id[far["id"]]["fired"] is False
    # Nobody else's: bob sees none and cannot remove ana's.
    assert bob.account("GET", ALERTS)[1]["priceAlerts"] == []
    assert refused(bob.account("DELETE", f"{ALERTS}/{far['id']}")) == (404, -8045)
    status, deleted = ana.account("DELETE", f"{ALERTS}/{far['id']}")
    assert (status, deleted["deleted"]) == (200, True)
    assert refused(ana.account("DELETE", f"{ALERTS}/{far['id']}")) == (404, -8045)
    assert [a["id"] for a in ana.account("GET", ALERTS)[1]["priceAlerts"]] == [alert["id"]]

"""The price alert endpoints of the trading page (`price_alerts.py`): list, create and
delete the session's alerts by email. Every answer is about the logged-in account, so it
carries the anti-phishing code like the others (`web_call.py`)."""

from typing import Any

from assetport.accounts import errors
from assetport.accounts.price_alerts import MAX_ACTIVE, PriceAlerts
from assetport.accounts.web_call import AccountCall


class AlertsPage:
    """`alerts` is None for a server run without the gateway's market views (tests of the
    account endpoints alone): nothing to list, and nothing can be set."""

    def __init__(self, alerts: PriceAlerts | None) -> None:
        self.alerts = alerts

    async def list_alerts(self, call: AccountCall) -> dict[str, Any]:
        me = call.me
        shown = [] if self.alerts is None else [self.alerts.shown(a) for a in self.alerts.of(me)]
        return {"priceAlerts": shown, "maxActive": MAX_ACTIVE}

    async def create_alert(self, call: AccountCall) -> dict[str, Any]:
        if self.alerts is None:
            raise errors.ALERT_MAIL_OFF.error()
        alert = self.alerts.create(call.me, call.text("symbol"), call.text("price"), call.now_ms)
        return self.alerts.shown(alert)

    async def delete_alert(self, call: AccountCall) -> dict[str, Any]:
        me = call.me
        text = call.path_params.get("alert_id", "")
        if self.alerts is None or not text.isdigit() or len(text) > 18:
            raise errors.ALERT_NOT_FOUND.error()
        self.alerts.delete(me, int(text))
        return {"deleted": True}

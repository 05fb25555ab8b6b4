"""The gateway's market views as the price alerts read them (`accounts/price_alerts.py`'s
`MarketPrices`): the accounts do not import the gateway, so the composition root hands them
this."""

from assetport.accounts.price_alerts import MarketPrice
from assetport.api.gateway import Gateway


class GatewayPrices:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def market_price(self, symbol: str) -> MarketPrice | None:
        markets = self.gateway.markets
        terms = markets.terms.get(symbol)
        if terms is None:
            return None
        market = terms.market
        return MarketPrice(
            market.base,
            market.quote,
            markets.quote(symbol),
            market.tick_size,
            self.gateway.market_data.last_price(symbol),
        )

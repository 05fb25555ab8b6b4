"""Assetport: an integrated digital-asset exchange with a Binance-compatible API."""

__version__ = "0.1.0"

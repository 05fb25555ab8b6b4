"""The gateway: Binance-compatible REST and streams, auth, rate limits, errors."""

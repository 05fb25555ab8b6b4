"""Market data: in-memory projections of the engine's event stream.

Depth (with update ids that line up with diffs), recent and aggregate trades, klines and
rolling tickers, fed by `MarketData.apply(seq, events, book_lookup)` in log order. Inside
everything is integer units; the `*_payload`/`*_row` functions render Binance JSON shapes.
No module reads a clock: event times drive the state and cadence emissions take `now_ms`.
"""

"""Binance's FIX API (FIX 4.4): order entry and drop copy sessions on their own ports
(docs/binance-api.md, "FIX").

`wire.py` frames and checks the bytes (simplefix splits and encodes the fields),
`limits.py` holds every bound, `session.py` is the FIX session layer (logon, sequence
numbers, heartbeats, rejects, logout), `reports.py` turns the user data stream's
`executionReport` into ExecutionReport<8>, `order_entry.py` maps the order messages onto the
gateway's order path, `drop_copy.py` is the read-only session, and `server.py` accepts the
connections.
"""

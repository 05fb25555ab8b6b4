"""The deterministic core: products (spot, funds) over one ledger, behind one dispatcher
(`engine.py`). No I/O."""

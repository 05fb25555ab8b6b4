"""The deterministic core: order books, matching, the ledger and the engine. No I/O."""

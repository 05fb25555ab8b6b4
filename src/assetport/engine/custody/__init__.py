"""Custody: deposits credited from a chain, and withdrawals to one as a lifecycle whose
funds are held in the ledger until the chain confirms them (`domain/custody.py`)."""

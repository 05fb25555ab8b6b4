"""Proof of reserves: a Merkle sum tree over the users' liabilities (`tree.py`) and the
stand-alone check of one account's proof (`verify.py`, standard library only)."""

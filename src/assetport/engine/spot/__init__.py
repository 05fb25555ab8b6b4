"""Spot trading: markets of two listed assets, their order books, stop orders, matching,
settlement through the ledger, cancels and amends, and the operators' market commands.

`product.py` is the product the dispatcher registers; the other modules each hold one
concept and are handed the `SpotState` (`state.py`), never the dispatcher.
"""

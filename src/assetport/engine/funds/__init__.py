"""Funds: money coming onto the platform and leaving it (deposits and withdrawals against
the external account), each transfer applied once by its reference."""

"""The funds product's section of the snapshot: every transfer applied, by reference."""

import msgspec


class FundsSection(msgspec.Struct, array_like=True):
    # (reference, "deposit" or "withdraw", account, asset, amount), by reference
    transfers: list[tuple[str, str, int, str, int]]

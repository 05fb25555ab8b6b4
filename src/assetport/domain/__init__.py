"""Value types and messages shared by every layer: assets, markets, orders, commands, events."""

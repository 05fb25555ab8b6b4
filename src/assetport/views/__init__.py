"""The gateway's views: projections of the engine's events that need nothing but the domain.

Each starts from the engine's read API (`seed.Seed`: what a recovered engine, in process or
behind the command port, has) and follows the events of every applied batch from then on,
updated before that batch's replies go out, so a client sees its own order at once:

- `orders.py`: every order's latest state (the one order view: REST, WebSocket API, user
  data and the SQL history's rows all render from `OrderRecord`);
- `markets.py`: the listed assets and markets as they trade now (status, filters, fees,
  self-trade prevention), the per-account fee overrides and the fee rule, precisions;
- `levels.py`: which price levels a command's events touched (the depth, the command port);
- `balances.py`: balances from the events' postings (a gateway over the command port).

The import contracts (`pyproject.toml`) keep this package off the engine, the runtime and
everything above: a view cannot reach into the engine's objects.
"""

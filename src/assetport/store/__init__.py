"""Read models in SQL: orders, trades, balances, postings, transfers and candles.

SQLite in the data dir by default, PostgreSQL at scale; SQLAlchemy Core throughout, schema
changes through Alembic migrations applied on open. The projector writes them from the
engine's events; `history` reads them with Binance's paging; `reconcile` checks them.
"""

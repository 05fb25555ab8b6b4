"""Alembic environment: run on the connection that `assetport.store.database.upgrade` opened.

No alembic.ini: the read model migrates itself on open. To add a migration, write a module
under versions/ (see 0001_initial.py) with the next revision id and `down_revision` set.
"""

from alembic import context

from assetport.store.schema import metadata

# A fixed key for PostgreSQL's advisory lock: one migrating process at a time.
_MIGRATION_LOCK = 0x41_50_52_4D  # "APRM"

connection = context.config.attributes["connection"]
if connection.dialect.name == "postgresql":
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters tables by copying them; Alembic's batch mode does that.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

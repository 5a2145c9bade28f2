"""Alembic's environment: run by :func:`vision.library.db.migrate` on a connection it gives (never a URL here).

A new migration: ``alembic -x`` is not needed; copy the newest file in ``versions/``, give it the next
revision, and write its ``upgrade``/``downgrade`` by hand (a test checks that the migrations from empty
give exactly the tables of :mod:`vision.library.models`).
"""

from __future__ import annotations

from alembic import context

from vision.library.models import Base

connection = context.config.attributes["connection"]
# SQLite changes a table by copying it (batch mode); DDL in the transaction, so a failed migration leaves nothing
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()

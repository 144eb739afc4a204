"""What readiness asks the database: does it answer, and at which migration is its schema."""

from __future__ import annotations

from sqlalchemy import inspect, text

from app.db.repository import Repository

VERSION_TABLE = "alembic_version"


class SchemaRepository(Repository):
    def revision(self) -> str | None:
        """The applied migration (None: none yet); raises SQLAlchemyError when the database is
        down."""
        connection = self.session.connection()
        connection.execute(text("SELECT 1"))
        # Alembic's own table read directly: importing Alembic to read one row would cost every
        # serving worker about 10 MB.
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        found = sorted(rows)
        return ",".join(found) if found else None

"""What readiness asks the database: does it answer, and at which migration is its schema."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.db.repository import Repository


class SchemaRepository(Repository):
    def revision(self) -> str | None:
        """The applied migration (None: none yet); raises SQLAlchemyError when the database is
        down."""
        connection = self.session.connection()
        connection.execute(text("SELECT 1"))
        return MigrationContext.configure(connection).get_current_revision()

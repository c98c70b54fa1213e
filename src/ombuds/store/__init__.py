"""Schema, migrations, transactions and the queries that return plain records."""

from ombuds.store.db import DEFAULT_URL, Database, open_database

__all__ = ["DEFAULT_URL", "Database", "open_database"]

"""Schema, migrations, transactions and the queries that return plain records.

Importing `ombuds.store` is cheap: SQLAlchemy is loaded on first use of the names below, so that the light
readers (`store.locate`, `store.kept`) start without it."""

from ombuds.lazy import lazy_attributes

_LAZY = {
    "DEFAULT_URL": "ombuds.store.locate",
    "Database": "ombuds.store.db",
    "open_database": "ombuds.store.db",
}

__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

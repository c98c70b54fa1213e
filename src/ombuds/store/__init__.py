"""Schema, migrations, transactions and the queries that return plain records.

Importing `ombuds.store` is cheap: SQLAlchemy is loaded on first use of the names below, so that the light
readers (`store.locate`, `store.kept`) start without it."""

from importlib import import_module

_LAZY = {
    "DEFAULT_URL": "ombuds.store.locate",
    "Database": "ombuds.store.db",
    "open_database": "ombuds.store.db",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ombuds.store' has no attribute '{name}'")

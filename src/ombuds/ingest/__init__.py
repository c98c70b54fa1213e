"""Reading input files (SPEC 2.1), checking every row, and handing valid records to the store.

Importing `ombuds.ingest` is cheap: the import itself (which needs the store) is loaded on first use."""

from importlib import import_module

_LAZY = {
    "ImportFailed": "ombuds.ingest.problems",
    "Problem": "ombuds.ingest.problems",
    "ImportReport": "ombuds.ingest.run",
    "import_files": "ombuds.ingest.run",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ombuds.ingest' has no attribute '{name}'")

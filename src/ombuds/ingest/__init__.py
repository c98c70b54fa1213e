"""Reading input files (SPEC 2.1), checking every row, and handing valid records to the store.

Importing `ombuds.ingest` is cheap: the import itself (which needs the store) is loaded on first use."""

from ombuds.lazy import lazy_attributes

_LAZY = {
    "ImportFailed": "ombuds.ingest.problems",
    "Problem": "ombuds.ingest.problems",
    "ImportReport": "ombuds.ingest.run",
    "import_files": "ombuds.ingest.run",
}

__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

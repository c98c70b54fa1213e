"""Reading input files (SPEC 2.1), checking every row, and handing valid records to the store."""

from ombuds.ingest.run import ImportFailed, ImportReport, Problem, import_files

__all__ = ["ImportFailed", "ImportReport", "Problem", "import_files"]

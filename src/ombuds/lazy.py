"""Package attributes loaded on first use, so that importing a package (`ombuds.stats`, `ombuds.store`,
`ombuds.ingest`) stays cheap and each command loads only what it touches."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `where[name]` (a module path) on first use of `name`."""

    def __getattr__(name: str) -> object:
        if name in where:
            return getattr(import_module(where[name]), name)
        raise AttributeError(f"module '{package}' has no attribute '{name}'")

    return __getattr__

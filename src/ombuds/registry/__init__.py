"""Authorities: codes, names, types, lifetimes, successors, population and centroids.

The registry is a file of facts shipped with the package (the scheme's `bodies.csv`: the LGSCO's is
`schemes/lgsco/bodies.csv`, see `SOURCES.md` beside it). Lookups accept a GSS code (current or former) or any
known name, tolerant of case, punctuation, "&"/"and" and the words "Council", "Borough", "City", "District",
"County".
"""

from ombuds.registry.authorities import Authority
from ombuds.registry.lookup import AuthorityNotFound, Registry, registry_of

__all__ = ["Authority", "AuthorityNotFound", "Registry", "registry_of"]

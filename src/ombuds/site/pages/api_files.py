"""The JSON API's files as kinds, for the static build: one per kind of `site.api.API`, built by the same function
the live API's route answers with, so the files written are the bytes served."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.api import API, ApiKind
from ombuds.site.pages import File, FileKind
from ombuds.site.render import json_bytes


def _file_kind(kind: ApiKind) -> FileKind:
    return FileKind(f"api-{kind.name.replace('_', '-')}", f"/api{kind.path}",
                    lambda site, **parameters: File(json_bytes(kind.data(site, **parameters)), "application/json"),
                    lambda **parameters: urls.api(kind.path.lstrip("/").format(**parameters)), kind.every)


API_KINDS = tuple(_file_kind(kind) for kind in API)

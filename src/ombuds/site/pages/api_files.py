"""The JSON API's files as kinds, for the static build: one per kind of an API (`site.api.lgsco_api`, or a measures
scheme's `site.measures_api.measures_api`), built by the same function the live API's route answers with, so the files
written are the bytes served."""

from __future__ import annotations

from collections.abc import Iterable

from ombuds import urls
from ombuds.site.api import ApiKind
from ombuds.site.pages import File, FileKind
from ombuds.site.render import json_bytes


def _file_kind(kind: ApiKind) -> FileKind:
    return FileKind(f"api-{kind.name.replace('_', '-')}", f"/api{kind.path}",
                    lambda site, **parameters: File(json_bytes(kind.data(site, **parameters)), "application/json"),
                    lambda **parameters: urls.api(kind.path.lstrip("/").format(**parameters)), kind.every)


def file_kinds(api: Iterable[ApiKind]) -> tuple[FileKind, ...]:
    return tuple(_file_kind(kind) for kind in api)


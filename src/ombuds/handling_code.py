"""The Complaint Handling Code of a scheme, as data: its provisions (number, section, a short title in our own
words; `Scheme.provisions`, loaded and checked by `ombuds.schemes`) and its time limits in working days, from the
same `code.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.schemes import Scheme
from ombuds.schemes.model import Provision

STAGES = (1, 2)
__all__ = ["STAGES", "HandlingCode", "Provision", "StageLimits", "handling_code"]


@dataclass(frozen=True)
class StageLimits:
    respond: int  # working days from acknowledgement
    extended: int  # the latest an agreed extension may reach, in working days from acknowledgement


@dataclass(frozen=True)
class HandlingCode:
    name: str
    applies_from: str
    acknowledge: int  # working days from receipt
    stages: dict[int, StageLimits]
    provisions: tuple[Provision, ...]
    escalation: dict[str, str]  # funnel step (received, decided, upheld) → the measure giving it (a measures scheme)

    @property
    def provision_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.provisions)


def handling_code(scheme: Scheme) -> HandlingCode:
    """The scheme's code (its code.toml)."""
    return _code(scheme.folder, scheme.id, scheme.provisions)


@cache
def _code(folder: Path, scheme_id: str, provisions: tuple[Provision, ...]) -> HandlingCode:
    path = folder / "code.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}  # checked by the loader
    if "timeliness" not in data or "name" not in data:
        raise OmbudsError(f"{path}: scheme '{scheme_id}' has no Complaint Handling Code with its name and time "
                          "limits ([timeliness]): see docs/code-report.md")
    limits = data["timeliness"]
    return HandlingCode(name=data["name"], applies_from=data.get("applies_from", ""),
                        acknowledge=limits["acknowledge"],
                        stages={s: StageLimits(limits[f"stage{s}"]["respond"], limits[f"stage{s}"]["extended"])
                                for s in STAGES},
                        provisions=provisions, escalation=dict(data.get("escalation", {})))

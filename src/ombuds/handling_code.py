"""The Complaint Handling Code of a scheme, as data: its provisions (number, section, a short title in our own
words) and its time limits in working days, read from the scheme's `code.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ombuds.errors import OmbudsError

DEFAULT_SCHEME = "lgsco"
STAGES = (1, 2)


@dataclass(frozen=True)
class Provision:
    id: str
    section: str
    title: str


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

    @property
    def provision_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.provisions)


def code_file(scheme_id: str) -> Path:
    return Path(str(resources.files("ombuds").joinpath("schemes", scheme_id, "code.toml")))


@cache
def handling_code(scheme_id: str = DEFAULT_SCHEME) -> HandlingCode:
    """The code of a shipped scheme (its folder under ombuds/schemes)."""
    return read_code(code_file(scheme_id))


def read_code(path: Path) -> HandlingCode:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        limits = data["timeliness"]
        return HandlingCode(
            name=data["name"], applies_from=data["applies_from"], acknowledge=int(limits["acknowledge"]),
            stages={stage: _limits(limits[f"stage{stage}"]) for stage in STAGES},
            provisions=tuple(Provision(str(p["id"]), p["section"], p["title"]) for p in data["provisions"]))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise OmbudsError(f"{path}: cannot read the Complaint Handling Code: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise OmbudsError(f"{path}: the Complaint Handling Code lacks or misstates {error}") from None


def _limits(stage: dict) -> StageLimits:
    return StageLimits(int(stage["respond"]), int(stage["extended"]))

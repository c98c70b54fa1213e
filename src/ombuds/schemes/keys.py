"""How a scheme's words are compared: labels, ids and names typed by people."""

from __future__ import annotations

import re

_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def label_key(text: str) -> str:
    """How labels are compared: any case, curly or straight apostrophes, any spacing, -/_ as spaces."""
    text = text.replace("’", "'").replace("-", " ").replace("_", " ").replace("&", " and ")
    return " ".join(text.casefold().split())


def column_key(name: object) -> str:
    """Column names match case-insensitively; spaces and hyphens count as underscores."""
    return "_".join(str(name or "").strip().casefold().replace("-", " ").split())


def is_id(text: object) -> bool:
    """A stable id: lower-case letters and digits, words joined by - or _ (`upheld`, `london-borough`)."""
    return isinstance(text, str) and bool(_ID.match(text))

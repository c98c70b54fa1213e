"""A letter's content as plain text: the text/plain part of its email, saying what the HTML and PDF say.

Links are written out after their words; a table is a line per row, each figure named by its column.
"""

from __future__ import annotations

import textwrap

WIDTH = 76  # lines an email client shows whole (RFC 5322 advises 78 characters at most)


def _runs(runs: list[dict]) -> str:
    return "".join(r["text"] + (f" <{r['link']}>" if r["link"] and r["link"] != "#" else "") for r in runs)


def _wrapped(text: str, indent: str = "") -> list[str]:
    text = text.replace("\u00a0", " ")
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent),
                         break_on_hyphens=False, break_long_words=False) or [""]


def _table(section: dict) -> list[str]:
    lines = [section["caption"]]
    for row in section["rows"]:
        header = " ".join(c["text"] for c in row if c["row_header"])
        figures = "; ".join(f"{c['label']}: {c['text']}" if c["label"] else c["text"]
                            for c in row if not c["row_header"])
        lines += _wrapped(f"{header}: {figures}" if header else figures, "- ")
    for text in [*section["plain"], *section["notes"]]:
        lines += _wrapped(text)
    return lines


def _statistics(section: dict) -> list[str]:
    kind = section["kind"]
    if kind == "heading":
        return list(section["lines"])
    if kind == "table":
        return _table(section)
    if kind == "panel":
        return [section["heading"], *(w for line in section["lines"] for w in _wrapped(line["text"]))]
    if kind == "overview":
        lines = [section["heading"], *_wrapped(" ".join(section["sentences"]))]
        return lines + [w for item in section["items"] for w in _wrapped(f"{item['label']}: {item['value']}", "- ")]
    return []


def plain_text(content: dict, opening: str = "") -> str:
    """The whole letter, statistics included, wrapped at WIDTH, after an `opening` paragraph if given."""
    head = content["letterhead"]
    out = [*_wrapped(opening), ""] if opening else []
    out += [head["name"], *head["postal_address"], head["web_address"], ""]
    for notice in content["notices"]:
        out += [*_wrapped(notice), ""]
    out += [content["date"], content["delivery"], "", *content["recipient"], "", content["salutation"], "",
            content["title"], ""]
    for block in content["blocks"]:
        text = _runs(block["runs"])
        out += _wrapped(text, "- ") if block["kind"] == "item" else [*_wrapped(text), ""]
    out += ["", content["closing"], "", content["signatory"]["name"], *content["signatory"]["titles"], "", "",
            "Statistics", ""]
    for section in content["statistics"]:
        out += [*_statistics(section), ""]
    return "\n".join(line.replace("\u00a0", " ").rstrip() for line in out).strip() + "\n"

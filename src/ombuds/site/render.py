"""The Jinja environment of the site: our templates, GOV.UK Frontend's macros, and `stats.format` for figures."""

from __future__ import annotations

import json
import os
from functools import cache

import jinja2

from ombuds import urls
from ombuds.stats import format as fmt
from ombuds.templating import Environment


@cache
def environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.PackageLoader("ombuds.site", "templates"),
        jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
    ])
    env = Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, auto_reload=False)
    env.globals.update(fmt=fmt, urls=urls, asset=asset)
    env.filters["sentence"] = sentence
    env.filters["long_date"] = fmt.long_date  # a filter, not `fmt.long_date(…)`: Jinja calls a filter directly, where
    # a call through the context cost more than the date's words, once a row of every page of decisions
    return env


@cache
def asset(path: str) -> str:
    """A file of the package's `static/` folder with its content's fingerprint (`static/site.js?v=…`): a new file
    gets a new address, so browsers may keep each one for a year (the live app says so for these addresses)."""
    import hashlib
    from importlib import resources

    folder = resources.files("ombuds.site")
    digest = hashlib.blake2b(folder.joinpath(path).read_bytes(), digest_size=6).hexdigest()
    return f"{path}?v={digest}"


os.register_at_fork(after_in_child=environment.cache_clear)  # a forked build worker never shares Jinja's locks


def sentence(words: str) -> str:
    """Words as the start of a sentence or heading: the first letter in capitals, the rest as written ("council"
    → "Council", "NHS trust" stays "NHS trust")."""
    return words[:1].upper() + words[1:]


def render(template: str, context: dict, *, root: str) -> bytes:
    """A page as bytes. `root` leads from the page to the site root: `/` live, `../../` in the static build."""
    page = environment().get_template(template)

    def url(path: str) -> str:
        return root + path

    return page.render(**context, url=url, root=root).encode("utf-8")


def json_bytes(data) -> bytes:
    """A JSON twin, API answer or data file as UTF-8. Compact, because indenting forces Python's slow pure-Python
    encoder (it was a fifth of the static build's time)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

"""The Jinja environment every ombuds template is rendered in (the site's pages, the letters, the code reports)."""

from __future__ import annotations

import jinja2


class Environment(jinja2.Environment):
    """Jinja's environment, looking a dictionary's key up first: `page.title` on a dict is `page["title"]` (as in
    Jinja) without first failing to find an attribute, which raised and caught an exception at every such lookup
    of every page and letter. A name of a dict method (`items`, `get` …) is looked up as Jinja does."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))

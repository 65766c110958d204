"""Ansible-compatible Jinja2 filters (the ones real playbooks use).

WHY our own: the playbooks we run were written against Ansible's filter set and its exact
output formats (``to_nice_json`` key order and indent, ``password_hash`` rounds, seeded
``random``...). Each filter here is checked against ansible-core's output in
``tests/unit/templating/test_oracle.py``. Jinja2 built-ins that already behave the same
(``lower``, ``join``, ``selectattr``...) are kept as they are.

One file per filter family (as ansible-core splits ``plugins/filter/``); this module holds the
one table, ``filters()``, that the Jinja2 environment installs.
"""

from __future__ import annotations

import os
from typing import Any

from edgeauto.templating.filters.core import (
    bool_filter,
    comment,
    mandatory,
    quote,
    split,
    ternary,
    type_debug,
    version_compare_filter,
)
from edgeauto.templating.filters.dates import strftime, to_datetime
from edgeauto.templating.filters.encoding import (
    b64decode,
    b64encode,
    from_json,
    from_yaml,
    from_yaml_all,
    get_hash,
    json_query,
    password_hash,
    to_json,
    to_nice_json,
    to_nice_yaml,
    to_uuid,
    to_yaml,
    urldecode,
    urlsplit,
)
from edgeauto.templating.filters.lists import (
    combinations,
    combine,
    dict2items,
    difference,
    extract,
    flatten,
    intersect,
    items2dict,
    permutations,
    product,
    rand,
    shuffle,
    subelements,
    symmetric_difference,
    union,
    unique,
    zip_filter,
    zip_longest,
)
from edgeauto.templating.filters.mathstuff import human_readable, human_to_bytes, log, power, root
from edgeauto.templating.filters.paths import fileglob, path_join
from edgeauto.templating.filters.regex import (
    regex_escape,
    regex_findall,
    regex_replace,
    regex_search,
)

__all__ = ["bool_filter", "filters", "flatten", "subelements", "type_debug"]


def filters() -> dict[str, Any]:
    """Filter table installed into the Jinja2 environment (Jinja2 built-ins stay underneath)."""
    return {
        "bool": bool_filter,
        "to_yaml": to_yaml,
        "to_nice_yaml": to_nice_yaml,
        "from_yaml": from_yaml,
        "from_yaml_all": from_yaml_all,
        "to_json": to_json,
        "to_nice_json": to_nice_json,
        "from_json": from_json,
        "regex_replace": regex_replace,
        "regex_findall": regex_findall,
        "regex_search": regex_search,
        "regex_escape": regex_escape,
        "ternary": ternary,
        "quote": quote,
        "b64encode": b64encode,
        "b64decode": b64decode,
        "hash": get_hash,
        "checksum": lambda d: get_hash(d, "sha1"),
        "sha1": lambda d: get_hash(d, "sha1"),
        "md5": lambda d: get_hash(d, "md5"),
        "password_hash": password_hash,
        "mandatory": mandatory,
        "combine": combine,
        "comment": comment,
        "extract": extract,
        "flatten": flatten,
        "subelements": subelements,
        "dict2items": dict2items,
        "items2dict": items2dict,
        "random": rand,
        "shuffle": shuffle,
        "unique": unique,
        "intersect": intersect,
        "difference": difference,
        "symmetric_difference": symmetric_difference,
        "union": union,
        "zip": zip_filter,
        "zip_longest": zip_longest,
        "product": product,
        "permutations": permutations,
        "combinations": combinations,
        "type_debug": type_debug,
        "urlsplit": urlsplit,
        "split": split,
        "basename": os.path.basename,
        "dirname": os.path.dirname,
        "expanduser": os.path.expanduser,
        "expandvars": os.path.expandvars,
        "realpath": os.path.realpath,
        "relpath": os.path.relpath,
        "normpath": os.path.normpath,
        "splitext": lambda p: list(os.path.splitext(p)),
        "path_join": path_join,
        "fileglob": fileglob,
        "version_compare": version_compare_filter,
        "version": version_compare_filter,
        "human_to_bytes": human_to_bytes,
        "human_readable": human_readable,
        "to_uuid": to_uuid,
        "strftime": strftime,
        "to_datetime": to_datetime,
        "urldecode": urldecode,
        "json_query": json_query,
        "community.general.json_query": json_query,
        "log": log,
        "pow": power,
        "root": root,
        "dict": lambda x: dict(x),
    }

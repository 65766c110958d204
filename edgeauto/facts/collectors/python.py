"""The target's Python, if it has one (``ansible_python``): the fallback for modules without a
native implementation needs it.
"""

from __future__ import annotations

import json

from edgeauto.facts.collectors.base import Section, one

SUBSET = "min"

SECTIONS = (
    Section(
        "python",
        "min",
        'for p in python3 python; do if command -v "$p" >/dev/null 2>&1; then '
        '"$p" -S -c \'import sys, json\n'
        "v = sys.version_info\n"
        'try:\n import ssl; ctx = hasattr(ssl, "SSLContext")\n'
        "except Exception:\n ctx = False\n"
        'print(json.dumps({"executable": sys.executable, "version": {"major": v[0], '
        '"minor": v[1], "micro": v[2], "releaselevel": v[3], "serial": v[4]}, '
        '"version_info": list(v), "type": getattr(getattr(sys, "implementation", None), '
        '"name", "cpython"), "has_sslcontext": ctx}))\'; break; fi; done',
    ),
)


def derive(sections, facts) -> None:
    if "python" in sections and one(sections, "python"):
        try:
            facts["python"] = json.loads(sections["python"][0])
            facts["python_version"] = ".".join(map(str, facts["python"]["version_info"][:3]))
        except (ValueError, KeyError, TypeError):
            pass

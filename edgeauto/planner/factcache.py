"""ansible.cfg's ``gathering = smart`` and ``fact_caching`` for ``run`` (layer 5).

With ``smart`` a play's implicit facts task runs only for hosts whose facts are not known
yet: gathered by an earlier play of this run, or (when ``fact_caching`` is not ``memory``)
found fresh in the fact cache. Any other gathering still stores what it gathered in the
cache, so the next run can use it, as ansible-core does. ``--flush-cache`` empties a host's
entry first. Cached facts carry no file checksums, so the first copy/template of such a host
sends its content (it is still compared on the target).
"""

from __future__ import annotations

import os
import threading

from edgeauto.config import active

_LOCK = threading.Lock()


def run_cache(fleet):
    """The run's FactCache, opened once; None when ``fact_caching`` is ``memory``."""
    cfg = active()
    if cfg.get("fact_caching") in ("memory", "", None):
        return None
    with _LOCK:
        cache = getattr(fleet, "_fact_cache", None)
        if cache is None:
            from edgeauto.facts.cache import FactCache

            where = cfg.get("fact_caching_connection")
            if where and (os.path.isdir(where) or where.endswith("/")):
                where = os.path.join(where, "facts.db")
            cache = FactCache(where or None, timeout=cfg.get("fact_caching_timeout"))
            fleet._fact_cache = cache
        return cache


def known_facts(fleet, state) -> dict | None:
    """Facts that make the implicit gathering unnecessary under ``smart``, else None."""
    cache = run_cache(fleet)
    if cache is not None and getattr(fleet.options, "flush_cache", False):
        flushed = fleet.__dict__.setdefault("_facts_flushed", set())
        if state.name not in flushed:
            flushed.add(state.name)
            cache.delete(state.name)
    if active().get("gathering") != "smart":
        return None
    if state.facts:
        return {}
    return cache.get(state.name) if cache is not None else None


def remember(fleet, state, facts: dict) -> None:
    cache = run_cache(fleet)
    if cache is not None and facts:
        cache.put(state.name, facts)

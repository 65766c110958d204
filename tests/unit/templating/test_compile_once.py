"""Host threads that need the same template at the same moment compile it once (perf: every
host starts with the same tasks, so a plain lru_cache compiled each template once per thread)."""

from __future__ import annotations

import threading
import time

from edgeauto.templating.jinja_env import _built_once, _compile


def test_concurrent_misses_compute_the_value_once():
    calls = []

    @_built_once(maxsize=8)
    def slow(key):
        calls.append(key)
        time.sleep(0.05)  # long enough for every thread to arrive while it runs
        return key.upper()

    start = threading.Barrier(8)
    results = []

    def worker():
        start.wait()
        results.append(slow("tmpl"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["tmpl"] and results == ["TMPL"] * 8
    assert slow.cache_info().hits == 7


def test_a_compiled_template_is_shared_by_every_caller():
    source = "{{ hostdir }}/etc/compile-once-test"
    assert _compile((), source) is _compile((), source)

"""Fleet layer: container workloads and what runs across runs.

* ``spec`` — the workload spec (YAML/JSON, validated with file:line) and its normalized model;
* ``placement`` — which host gets which workload and, for every excluded host, why
  (``hostview``: a host as placement sees it; ``hwfacts``: its facts in one round trip;
  ``plan_text``/``plan_html``: the plan printed and as a page);
* ``rollout`` — canary, batches, health gates, failure budget, automatic rollback;
* ``catalog`` — the service-discovery catalog written to every host in scope;
* ``timeline`` — the rollout timeline picture (``chromium``: headless screenshots);
* ``history`` — run history in embedded SQLite; ``schedule`` — scheduled fleet runs.
"""

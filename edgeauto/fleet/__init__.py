"""Fleet layer: container workloads and what runs across runs.

* ``spec`` — the workload spec (YAML/JSON, validated with file:line) and its normalized model;
* ``placement`` — which host gets which workload and, for every excluded host, why;
* ``rollout`` — canary, batches, health gates, failure budget, automatic rollback;
* ``catalog`` — the service-discovery catalog written to every host in scope;
* ``timeline`` — the rollout timeline picture;
* ``history`` — run history in embedded SQLite; ``schedule`` — scheduled fleet runs.
"""

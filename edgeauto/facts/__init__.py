"""Facts: one batched round trip per host (gather.py), Ansible names (derive.py), edge hardware
classification (edge_hw.py) and a SQLite cache with a TTL (cache.py)."""

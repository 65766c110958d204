"""The side-by-side benchmark harness (never part of the test suite): see bench/run.py."""

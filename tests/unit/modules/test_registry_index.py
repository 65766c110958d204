"""The start-up name index answers exactly as importing every module file does, and goes
stale (rebuilt by a full discovery) when any module file changes."""

from __future__ import annotations

import json

import pytest

from edgeauto.modules import registry


@pytest.fixture
def fresh_index(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    registry._index.cache_clear()
    yield tmp_path
    registry._index.cache_clear()


def test_the_index_resolves_every_name_to_the_module_discovery_finds(fresh_index):
    canonical, names = registry._discover()
    assert registry._index() is not None and registry._index_path().is_file()
    registry._index.cache_clear()  # now read back from the file
    for name, module in names.items():
        assert registry.get_module(name) is module, name
    for name, module in canonical.items():
        assert registry.get_module(f"edgeauto.somecollection.{name}") is module
    assert registry.get_module("name") is None and registry.get_module("copyy") is None


def test_a_changed_module_file_rebuilds_the_index(fresh_index):
    registry._index()
    path = registry._index_path()
    data = json.loads(path.read_text())
    data["names"]["copy"] = ["edgeauto.modules.core", "file", "file"]  # what a stale one says
    data["key"][1][0][3] -= 1  # as if the first module file had been edited since
    path.write_text(json.dumps(data))
    registry._index.cache_clear()
    assert registry.get_module("copy").spec.name == "copy"


def test_an_index_naming_a_file_without_the_module_falls_back_to_discovery(fresh_index):
    registry._index()
    path = registry._index_path()
    data = json.loads(path.read_text())
    data["names"]["copy"] = ["edgeauto.modules.core", "file", "copy"]  # file.py has no copy
    path.write_text(json.dumps(data))
    registry._index.cache_clear()
    assert registry.get_module("copy").spec.name == "copy"

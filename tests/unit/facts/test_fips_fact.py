"""``ansible_fips`` as ansible-core's fips collector sets it (the copy target's md5 tests
read it): true only when /proc/sys/crypto/fips_enabled holds 1; false when it says 0 or the
kernel has no such file (BusyBox devices, containers)."""

from __future__ import annotations

import pytest

from edgeauto.facts.collectors import platform


@pytest.mark.parametrize(("lines", "fips"), [(["1"], True), (["0"], False), ([], False)])
def test_fips_follows_the_kernels_fips_enabled_file(lines, fips):
    facts: dict = {}
    platform.derive({"fips": lines}, facts)
    assert facts["fips"] is fips


def test_the_fips_probe_never_fails_the_facts_round_trip():
    probe = next(s for s in platform.SECTIONS if s.name == "fips")
    assert probe.subset == "min" and probe.command.endswith("; true")

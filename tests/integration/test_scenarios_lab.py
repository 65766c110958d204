"""``edgeauto test``: molecule-style scenarios run for real on throwaway lab hosts.

The roles are written by the test (our own, in molecule's and in our layout); the command
runs as a user runs it, in a subprocess, and its junit XML is read back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def motd_role(root: Path, task: str) -> Path:
    role = root / "roles" / "motd"
    write(role / "tasks" / "main.yml", task)
    write(role / "meta" / "main.yml", "galaxy_info: {author: edgeauto tests}\n")
    write(
        role / "molecule" / "default" / "molecule.yml",
        """
        driver: {name: docker}
        platforms:
          - name: instance
            image: debian:bookworm
        """,
    )
    write(
        role / "molecule" / "default" / "converge.yml",
        """
        - name: Converge
          hosts: all
          tasks:
            - name: the role under test
              include_role:
                name: "{{ lookup('env', 'MOLECULE_PROJECT_DIRECTORY') | basename }}"
        """,
    )
    write(
        role / "molecule" / "default" / "verify.yml",
        """
        - name: Verify
          hosts: all
          gather_facts: false
          tasks:
            - slurp: {src: /etc/motd}
              register: motd
            - assert:
                that: "(motd.content | b64decode) == 'edge site lab\\n'"
        """,
    )
    write(role / "tests" / "scenarios" / "devices" / "scenario.yml", "platforms: [busybox]\n")
    write(
        role / "tests" / "scenarios" / "devices" / "converge.yml",
        "- hosts: all\n  gather_facts: false\n  roles: [motd]\n",
    )
    return role


def edgeauto_test(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", "test", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )


def cases(junit: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(junit).getroot()
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


GOOD = """
- name: motd says where we are
  copy:
    dest: /etc/motd
    content: "edge site {{ site | default('lab') }}\\n"
"""

NOT_IDEMPOTENT = (
    GOOD
    + """
- name: a command that always reports a change
  command: "true"
"""
)


def test_a_good_role_passes_every_step_of_both_scenarios(tmp_path):
    motd_role(tmp_path, GOOD)
    proc = edgeauto_test(tmp_path, "roles/motd", "--junit", str(tmp_path / "junit.xml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2/2 scenarios passed" in proc.stdout
    got = cases(tmp_path / "junit.xml")
    steps = ("create", "converge", "idempotence", "verify", "destroy")
    assert all(("motd/default", s) in got for s in steps)
    assert not any(c.find("failure") is not None for c in got.values())
    assert got[("motd/devices", "verify")].find("skipped") is not None  # no verify.yml there


def test_a_change_on_the_second_converge_fails_idempotence_and_names_the_task(tmp_path):
    motd_role(tmp_path, NOT_IDEMPOTENT)
    proc = edgeauto_test(
        tmp_path, "roles/motd/molecule/default", "--junit", str(tmp_path / "j.xml")
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    failure = cases(tmp_path / "j.xml")[("motd/default", "idempotence")].find("failure")
    assert failure is not None
    assert "instance: motd : a command that always reports a change" in failure.get("message")
    assert "FAILED" in proc.stdout and "0/1 scenarios passed" in proc.stdout
    # the hosts are gone even though a step failed
    assert "destroy      ok" in proc.stdout

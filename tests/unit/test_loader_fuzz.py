"""Fuzzing the loaders (issue 14): YAML, INI inventories and playbooks built from random
mutations of real-looking input either load or raise one of our errors (file:line, a clear
message) — never another exception, never a hang. Bounded: a fixed number of examples with a
per-example deadline, derandomised so CI runs the same cases every time."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgeauto.errors import EdgeautoError
from edgeauto.inventory import load_inventory
from edgeauto.playbook import check_playbook
from edgeauto.yamlsrc import load_yaml_text

PLAYBOOK = """- hosts: all
  gather_facts: false
  vars: {a: 1, b: [x, y], c: "{{ a }}"}
  tasks:
    - name: one
      copy: {dest: /tmp/x, content: "hi {{ c }}"}
      when: a == 1
      loop: "{{ b }}"
      register: r
    - block:
        - command: echo {{ item }}
      rescue:
        - debug: {msg: "{{ r }}"}
      always:
        - meta: flush_handlers
  handlers:
    - name: h
      service: {name: x, state: restarted}
"""

INI = """[web]
h[1:3] ansible_host=127.0.0.1 port=22
[db:children]
web
[db:vars]
x=1
y="a b"
"""

PIECES = list("-:[]{}&*!|>'\"#%@`,?\n\t ") + ["{{", "}}", "{%", "%}", "&a", "*a", "<<: *a"]
PIECES += ["- ", ": ", "\n  ", "\n    - ", "!vault |", "!unsafe ", "tasks:", "hosts:", "[x:vars]"]

FUZZ = settings(
    max_examples=150,
    deadline=3000,  # ms per example: a loader that spins fails as a hang
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def mutated(draw, base: str) -> str:
    text = base
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        piece = draw(st.sampled_from(PIECES) | st.text(string.printable, max_size=4))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        elif action == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        else:
            text = text[:at] + text[at : at + 40] * 2 + text[at + 40 :]
    return text


def only_our_errors(load) -> None:
    try:
        load()
    except EdgeautoError as exc:
        assert str(exc)  # one message a user can act on
    except RecursionError:  # pragma: no cover - reported as a failure with the input
        raise AssertionError("recursion") from None


@FUZZ
@given(mutated(PLAYBOOK))
def test_yaml_loader_never_raises_anything_but_a_parse_error(text):
    only_our_errors(lambda: load_yaml_text(text, "fuzz.yml"))


@FUZZ
@given(text=mutated(PLAYBOOK))
def test_playbook_check_never_crashes(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("pb")) / "site.yml"
    path.write_text(text)
    only_our_errors(lambda: check_playbook(str(path)))


@FUZZ
@given(text=mutated(INI))
def test_ini_inventory_never_crashes(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("inv")) / "hosts.ini"
    path.write_text(text)
    only_our_errors(lambda: load_inventory([str(path)]))

"""The workload spec: good files load to the documented model; every bad input is an error
with file:line, what was expected and what was found (and nothing else is accepted)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from edgeauto.errors import ParseError, ValidationError
from edgeauto.fleet.spec import Health, Port, UpdatePolicy, Workload, load_workloads

FULL = """\
name: web
image: registry.local/web:1.2
archive: web-1.2.tar
runtime: kata
resources: {cpus: 500m, memory: 256Mi}
ports: [8080, "5353:53/udp", {host: 9000, container: 90}]
env: {MODE: prod, WORKERS: 4}
volumes: ["/srv/web:/data:ro", "cache:/cache"]
restart: no
health: {http: "http://localhost:8080/health", interval: 5s, timeout: 2s, retries: 4,
         start_period: 1m}
placement:
  arch: [x86_64, arm64]
  groups: [edge]
  labels: {site: paris, zone: [a, b]}
  accelerators: [movidius]
  kvm: true
  per_site: 2
  spread: zone
update: {canary: 2, max_parallel: 3, min_healthy_time: 15s, healthy_deadline: 2m,
         auto_revert: false, auto_promote: true, failure_budget: 2}
"""


def write(tmp_path: Path, text: str, name: str = "w.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_full_spec_loads_to_the_model(tmp_path):
    (tmp_path / "web-1.2.tar").write_bytes(b"tar")
    [w] = load_workloads([write(tmp_path, FULL)])
    assert w.name == "web" and w.version == "registry.local/web:1.2"
    assert w.archive == tmp_path / "web-1.2.tar"
    assert (w.runtime, w.cpus, w.memory, w.restart) == ("kata", 0.5, 256 * 2**20, "no")
    assert w.ports == [Port(8080, 8080, "tcp"), Port(5353, 53, "udp"), Port(9000, 90, "tcp")]
    assert w.env == {"MODE": "prod", "WORKERS": "4"}
    assert w.volumes == ["/srv/web:/data:ro", "cache:/cache"]
    assert w.health == Health("http", "http://localhost:8080/health", 5, 2, 4, 60)
    p = w.placement
    assert (p.arch, p.groups, p.accelerators) == (["x86_64", "aarch64"], ["edge"], ["movidius"])
    assert p.labels == {"site": ["paris"], "zone": ["a", "b"]}
    assert (p.kvm, p.per_host, p.per_site, p.spread) == (True, None, 2, "zone")
    assert w.update == UpdatePolicy(2, 3, 15, 120, False, True, 2)
    assert str(w.source) == f"{tmp_path / 'w.yml'}:1:1"


def test_defaults_and_round_trip(tmp_path):
    [w] = load_workloads([write(tmp_path, "name: a\nimage: a:1\n")])
    assert (w.runtime, w.restart, w.health, w.cpus, w.memory) == (
        "runc",
        "unless-stopped",
        None,
        None,
        None,
    )
    assert w.update == UpdatePolicy()
    again = Workload.from_json(json.loads(json.dumps(w.to_json())))
    assert again == w and again.to_json() == w.to_json()
    assert again.source == w.source


def test_config_digest_changes_with_container_fields_only(tmp_path):
    base = "name: a\nimage: a:1\nenv: {X: '1'}\n"
    digest = load_workloads([write(tmp_path, base)])[0].config_digest()
    assert (
        load_workloads([write(tmp_path, base + "update: {canary: 3}\n")])[0].config_digest()
        == digest
    )
    changed = load_workloads([write(tmp_path, "name: a\nimage: a:1\nenv: {X: '2'}\n")])[0]
    assert changed.config_digest() != digest
    limited = load_workloads([write(tmp_path, base + "resources: {memory: 1Gi}\n")])[0]
    assert limited.config_digest() != digest


def test_file_shapes_list_and_workloads_key_and_json(tmp_path):
    listed = write(tmp_path, "- {name: a, image: a:1}\n- {name: b, image: b:1}\n", "l.yml")
    keyed = write(tmp_path, "workloads:\n  - {name: c, image: c:1}\n", "k.yaml")
    as_json = tmp_path / "j.json"
    as_json.write_text(
        json.dumps({"name": "d", "image": "d:1", "resources": {"memory": "1G"}}, indent=2)
    )
    names = [w.name for w in load_workloads([listed, keyed, as_json])]
    assert names == ["a", "b", "c", "d"]
    assert load_workloads([as_json])[0].memory == 10**9


def test_sizes_durations_and_cpus(tmp_path):
    spec = """\
    name: a
    image: a:1
    resources: {cpus: 2, memory: 1536}
    health: {tcp: 80, interval: 1h30m, timeout: 500ms}
    """
    [w] = load_workloads([write(tmp_path, spec)])
    assert (w.cpus, w.memory) == (2.0, 1536)
    assert (w.health.kind, w.health.target, w.health.interval, w.health.timeout) == (
        "tcp",
        "80",
        5400,
        0.5,
    )


# every bad input: (spec text, line, words that must be in the message)
BAD = [
    ("image: a:1\n", 1, "missing required key 'name'"),
    ("name: a\n", 1, "missing required key 'image'"),
    ("name: Web App\nimage: a\n", 1, "name: expected a name of lowercase letters"),
    ("name: a\nimage: 'a b'\n", 2, "image: expected an image reference without spaces"),
    ("name: a\nimage: a\nimgae: b\n", 3, "unknown key 'imgae' in a workload"),
    (
        "name: a\nimage: a\nruntime: runsc\n",
        3,
        "runtime: expected runc or kata, found the string 'runsc'",
    ),
    (
        "name: a\nimage: a\nrestart: yes\n",
        3,
        "restart: expected no or always or on-failure or unless-stopped, found the boolean True",
    ),
    (
        "name: a\nimage: a\nresources: {memory: 256MB}\n",
        3,
        "resources.memory: expected a size like 256Mi, 1Gi, 512M or a number of bytes, found "
        "the string '256MB'",
    ),
    ("name: a\nimage: a\nresources: {memory: 512m}\n", 3, "did you mean 512Mi (binary) or 512M"),
    (
        "name: a\nimage: a\nresources:\n  memory: 1Gi\n  cpus: -1\n",
        5,
        "resources.cpus: expected a number of CPUs > 0",
    ),
    (
        "name: a\nimage: a\nresources:\n  mem: 1Gi\n",
        4,
        "unknown key 'mem' in resources: expected one of cpus, memory",
    ),
    (
        "name: a\nimage: a\nresources: 1Gi\n",
        3,
        "resources: expected a mapping with cpus, memory, found the string '1Gi'",
    ),
    ("name: a\nimage: a\nports: 80\n", 3, "ports: expected a list of ports, found the number 80"),
    (
        "name: a\nimage: a\nports:\n  - 80\n  - 70000\n",
        5,
        "ports[1]: expected a whole number >= 1 and <= 65535, found the number 70000",
    ),
    (
        "name: a\nimage: a\nports:\n  - '53:53/sctp'\n",
        4,
        "ports[0]: expected protocol tcp or udp, found 'sctp'",
    ),
    (
        "name: a\nimage: a\nports: [80, '80:8080']\n",
        3,
        "ports[1]: host port 80/tcp is already used by ports[0]",
    ),
    (
        "name: a\nimage: a\nports:\n  - {host: 80, containr: 8}\n",
        4,
        "unknown key 'containr' in ports[0]",
    ),
    (
        "name: a\nimage: a\nenv: {DEBUG: true}\n",
        3,
        "env.DEBUG: expected a string or a number, found the boolean True",
    ),
    ("name: a\nimage: a\nenv:\n  1X: a\n", 4, "expected a variable name of letters"),
    ("name: a\nimage: a\nenv: [A=1, B]\n", 3, "env[1]: expected NAME=value, found the string"),
    ("name: a\nimage: a\nvolumes: ['data']\n", 3, "volumes[0]: expected SRC:DST or SRC:DST:ro"),
    ("name: a\nimage: a\nvolumes:\n  - ./d:/data\n", 4, "volumes[0]: expected SRC:DST"),
    ("name: a\nimage: a\nvolumes: ['/a:/b:rx']\n", 3, "volumes[0]: expected SRC:DST"),
    (
        "name: a\nimage: a\nhealth: {interval: 5s}\n",
        3,
        "health: expected exactly one of tcp, http, command, found none of them",
    ),
    ("name: a\nimage: a\nhealth: {tcp: 80, http: 'http://x'}\n", 3, "found tcp and http"),
    (
        "name: a\nimage: a\nhealth:\n  http: localhost/health\n",
        4,
        "health.http: expected a URL like http://localhost:8080/health",
    ),
    (
        "name: a\nimage: a\nhealth:\n  tcp: 80\n  interval: soon\n",
        5,
        "health.interval: expected a duration like 10s, 2m, 1h30m, 500ms or a number of "
        "seconds (> 0), found the string 'soon'",
    ),
    (
        "name: a\nimage: a\nhealth:\n  tcp: 80\n  retries: 0\n",
        5,
        "health.retries: expected a whole number >= 1, found the number 0",
    ),
    ("name: a\nimage: a\nhealth:\n  tcp: 80\n  timout: 1s\n", 5, "unknown key 'timout' in health"),
    (
        "name: a\nimage: a\nplacement:\n  arch: [aarch46]\n",
        4,
        "placement.arch[0]: expected an architecture",
    ),
    (
        "name: a\nimage: a\nplacement:\n  accelerators: [movidus]\n",
        4,
        "placement.accelerators[0]: expected an accelerator family or kind",
    ),
    (
        "name: a\nimage: a\nplacement:\n  kvm: maybe\n",
        4,
        "placement.kvm: expected true or false, found the string 'maybe'",
    ),
    (
        "name: a\nimage: a\nplacement:\n  per_host: 1\n  per_site: 2\n",
        5,
        "placement: expected per_host or per_site, found both",
    ),
    (
        "name: a\nimage: a\nplacement:\n  per_site: 0\n",
        4,
        "placement.per_site: expected a whole number >= 1, found the number 0",
    ),
    (
        "name: a\nimage: a\nplacement:\n  spread: rack\n",
        4,
        "placement.spread: expected site or zone, found the string 'rack'",
    ),
    (
        "name: a\nimage: a\nplacement:\n  labels: [site]\n",
        4,
        "placement.labels: expected a mapping of label: value",
    ),
    (
        "name: a\nimage: a\nplacement:\n  lables: {site: x}\n",
        4,
        "unknown key 'lables' in placement",
    ),
    (
        "name: a\nimage: a\nruntime: kata\nplacement:\n  kvm: false\n",
        5,
        "placement.kvm: expected true or unset for runtime kata",
    ),
    (
        "name: a\nimage: a\nports: [80]\nplacement:\n  per_host: 2\n",
        5,
        "placement.per_host: expected 1 for a workload with host ports",
    ),
    (
        "name: a\nimage: a\nupdate:\n  canary: -1\n",
        4,
        "update.canary: expected a whole number >= 0, found the number -1",
    ),
    ("name: a\nimage: a\nupdate:\n  max_parallel: 0\n", 4, "update.max_parallel: expected"),
    (
        "name: a\nimage: a\nupdate:\n  auto_revert: 'yes'\n",
        4,
        "update.auto_revert: expected true or false, found the string 'yes'",
    ),
    (
        "name: a\nimage: a\nupdate:\n  healthy_deadline: 5s\n  min_healthy_time: 10s\n",
        5,
        "update: expected min_healthy_time <= healthy_deadline, found 10s > 5s",
    ),
    ("name: a\nimage: a\nupdate:\n  canery: 1\n", 4, "unknown key 'canery' in update"),
    (
        "name: a\nimage: a\narchive: missing.tar\n",
        3,
        "archive: expected an image archive file, found no file at",
    ),
    (
        "- name: a\n  image: a\n- name: a\n  image: b\n",
        3,
        "workload name 'a' is used twice (first at",
    ),
    ("- 42\n", 1, "[0]: expected a workload mapping (name, image, …), found the number 42"),
    ("workloads: {name: a}\n", 1, "workloads: expected a list of workload mappings"),
    ("workloads: []\nextra: 1\n", 2, "unknown key 'extra'"),
    ("just a string\n", 1, "expected a workload mapping, a list of them or {workloads: [...]}"),
    ("name: a\nimage: [a\n", 3, "YAML syntax error"),
    ("name: a\nimage: a\nname: b\n", 3, "duplicate key 'name'"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input_names_file_line_expected_found(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as info:
        load_workloads([path])
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message, message


def test_did_you_mean_for_unknown_keys(tmp_path):
    with pytest.raises(ParseError) as info:
        load_workloads([write(tmp_path, "name: a\nimage: a\nplacement: {per_sites: 1}\n")])
    assert "did you mean 'per_site'?" in str(info.value)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    one = write(tmp_path, "name: a\nimage: a\nruntime: x\nrestart: never\n", "one.yml")
    two = write(tmp_path, "name: b\nimage: b\nports: [0]\n", "two.yml")
    with pytest.raises(ValidationError) as info:
        load_workloads([one, two])
    lines = str(info.value).splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{one}:3:10", f"{one}:4:10", f"{two}:3:9"]


def test_json_syntax_error_has_json_line_and_column(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{\n  "name": "a",\n  "image": "a",\n}\n')
    with pytest.raises(ParseError) as info:
        load_workloads([path])
    assert str(info.value).startswith(f"{path}:4:1: JSON syntax error: Expecting property name")


def test_json_value_errors_have_lines(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{\n  "name": "a",\n  "image": "a",\n  "resources": {"memory": "lots"}\n}\n')
    with pytest.raises(ParseError) as info:
        load_workloads([path])
    assert str(info.value).startswith(f"{path}:4:27: resources.memory: expected a size")


def test_json_numbers_are_json_numbers_and_duplicate_keys_are_errors(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{"name": "a", "image": "a:1",\n "resources": {"memory": 1e9, "cpus": 5e-1}}')
    [w] = load_workloads([path])
    assert (w.memory, w.cpus) == (10**9, 0.5)
    path.write_text('{"name": "a", "image": "a:1",\n "name": "b"}')
    with pytest.raises(ParseError) as info:
        load_workloads([path])
    assert str(info.value).startswith(f"{path}:2:2: duplicate key 'name'")


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(ParseError, match="workload spec not found"):
        load_workloads([tmp_path / "nope.yml"])
    with pytest.raises(ParseError, match="no workloads found"):
        load_workloads([write(tmp_path, "workloads: []\n")])


def test_vault_values_are_refused_in_env(tmp_path):
    path = write(
        tmp_path,
        "name: a\nimage: a\nenv:\n  TOKEN: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    6162\n",
    )
    with pytest.raises(ParseError) as info:
        load_workloads([path])
    message = str(info.value)
    assert message.startswith(f"{path}:4:3: env.TOKEN: expected a plain value, found a !vault")
    assert "6162" not in message

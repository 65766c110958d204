"""``edgeauto workload plan`` over a simulated fleet (``edgeauto_hw`` as hostvars, no host
contacted): text, --json and --html; a bad spec stops it before any host is asked; a host
with neither facts nor a way to reach it is listed with why; the page opens in Chromium."""

from __future__ import annotations

import json
import textwrap

from edgeauto import cli
from edgeauto.errors import EXIT_HOST_UNREACHABLE, EXIT_OK

from .pagecheck import dump_dom, needs_chromium
from .simfleet import fleet_hosts, write_inventory

INVENTORY = """\
all:
  hosts:
    gw1:
      site: paris
      zone: a
      edgeauto_hw: {arch: x86_64, memory_mb: 2048, cpu: {count: 4}, kvm: {usable: true},
                    accelerators: [{family: movidius, kind: vpu}]}
    pi1:
      edge_labels: {site: lyon, rack: r1}
      edgeauto_hw: {arch: armv7l, memory_mb: 512, cpu: {count: 4},
                    kvm: {usable: false, reason: no /dev/kvm}}
    "srv<1>":
      site: paris
      edgeauto_hw: {arch: x86_64, memory_mb: 1024, cpu: {count: 2}}
"""

SPECS = """\
- name: web
  image: web:1
  resources: {memory: 768Mi}
  ports: [8080]
- name: vm
  image: vm:1
  runtime: kata
  placement: {spread: site}
"""


def files(tmp_path, inventory=INVENTORY, specs=SPECS):
    inv, spec = tmp_path / "inv.yml", tmp_path / "w.yml"
    inv.write_text(textwrap.dedent(inventory))
    spec.write_text(textwrap.dedent(specs))
    return str(inv), str(spec)


def test_text_plan_says_who_gets_what_and_why_not(tmp_path, capsys):
    inv, spec = files(tmp_path)
    assert cli.main(["workload", "plan", "-i", inv, spec]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("facts: 0 gathered, 3 from hostvars edgeauto_hw (simulated)\n")
    assert "workload web (web:1): 2 of 3 host(s) [memory 768Mi]\n  placed on: gw1, srv<1>\n" in out
    assert "    pi1  memory: 512Mi on the host, needs 768Mi\n" in out
    assert "    pi1     kvm: no usable KVM for a kata workload: no /dev/kvm\n" in out
    assert "  unmet site lyon: no host placed (1 kvm)\n" in out
    assert "  gw1     paris/a      x86_64   -> web, vm\n" in out


def test_json_plan(tmp_path, capsys):
    inv, spec = files(tmp_path)
    assert cli.main(["workload", "plan", "-i", inv, spec, "--json"]) == EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["workloads"]["vm"]["assigned"] == ["gw1"]
    assert doc["workloads"]["vm"]["unmet"] == {"lyon": "no host placed (1 kvm)"}
    assert doc["hosts"]["pi1"]["labels"] == {"site": "lyon", "rack": "r1"}
    assert doc["hosts"]["gw1"]["placed"] == ["web", "vm"]
    assert doc["hosts"]["gw1"]["facts_from"] == "hostvars (simulated)"


def test_bad_spec_is_reported_before_any_host_is_asked(tmp_path, capsys):
    # 'ghost' has no facts and an address nobody may use: a contacted host would show up
    inv, spec = files(
        tmp_path,
        INVENTORY + "    ghost: {ansible_host: 127.0.0.1, ansible_port: 1}\n",
        "name: web\nimage: web:1\nresources: {memory: lots}\n",
    )
    assert cli.main(["workload", "plan", "-i", inv, spec]) == 1
    captured = capsys.readouterr()
    assert f"{spec}:3:21: resources.memory: expected a size like 256Mi" in captured.err
    assert "ghost" not in captured.out + captured.err


def test_unreachable_host_is_excluded_with_the_reason(tmp_path, capsys):
    inv, spec = files(
        tmp_path, INVENTORY + "    ghost: {ansible_host: 127.0.0.1, ansible_port: 1}\n"
    )
    rc = cli.main(["workload", "plan", "-i", inv, spec, "-T", "3"])
    out = capsys.readouterr().out
    assert rc == EXIT_HOST_UNREACHABLE
    assert "facts: 0 gathered, 3 from hostvars edgeauto_hw (simulated), 1 unreachable" in out
    ghost = [line for line in out.splitlines() if line.strip().startswith("ghost ")]
    assert ghost and all("unreachable: " in line for line in ghost), out


def test_bad_simulated_facts_name_the_host(tmp_path, capsys):
    inv, spec = files(tmp_path, "all:\n  hosts:\n    h1:\n      edgeauto_hw: {memory_mb: lots}\n")
    assert cli.main(["workload", "plan", "-i", inv, spec]) == 1
    assert "host h1: edgeauto_hw memory_mb must be a number of MiB, found 'lots'" in (
        capsys.readouterr().err
    )


@needs_chromium
def test_html_page_groups_hosts_by_site_in_chromium(tmp_path, capsys):
    inv, spec = files(tmp_path)
    page = tmp_path / "plan.html"
    assert cli.main(["workload", "plan", "-i", inv, spec, "--html", str(page)]) == EXIT_OK
    assert f"plan page: {page}" in capsys.readouterr().out
    dom = dump_dom(page, tmp_path)
    sites = [part.split('"')[0] for part in dom.split('<section class="site" id="site-')[1:]]
    assert sites == ["lyon", "paris"]
    paris = dom.split('id="site-paris"')[1]
    assert 'id="host-gw1"' in paris and 'id="host-srv&lt;1&gt;"' in paris
    gw1 = paris.split('id="host-gw1"')[1].split("</tr>")[0]
    assert gw1.count('class="placed"') == 2
    pi1 = dom.split('id="host-pi1"')[1].split("</tr>")[0]
    assert "<b>web</b>: memory: 512Mi on the host, needs 768Mi" in pi1
    assert 'id="unmet"' in dom


@needs_chromium
def test_html_page_of_1000_simulated_hosts(tmp_path, capsys):
    inv = tmp_path / "fleet.yml"
    write_inventory(inv, fleet_hosts())
    _, spec = files(tmp_path)
    page = tmp_path / "plan.html"
    assert cli.main(["workload", "plan", "-i", str(inv), spec, "--html", str(page), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    dom = dump_dom(page, tmp_path)
    assert dom.count('<tr class="host"') == 1000
    assert dom.count('<section class="site"') == 10
    assert dom.count('class="placed"') == sum(len(w["assigned"]) for w in doc["workloads"].values())

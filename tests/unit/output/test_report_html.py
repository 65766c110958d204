"""``run --report``: the page built from a real local-connection run (tests/unit/output/
conftest.py) — failures first, a timeline per host, the predicted diff, the recap, no secret,
nothing fetched, no script; and the file is written atomically."""

from __future__ import annotations

import os
import re
import stat

import pytest

from edgeauto.fsutil import atomic_write
from tests.unit.output.conftest import NO_LOG_SECRET, VAULT_SECRET


def test_the_run_failed_and_wrote_a_page(report_run):
    assert report_run.returncode == 2, report_run.output  # a host failed
    assert report_run.html.startswith("<!DOCTYPE html>")


def test_sections_come_in_order_failures_first(report_run):
    html = report_run.html
    order = [html.index(f'<section id="{s}"') for s in ("failures", "hosts", "changed-files")]
    order.append(html.index('<section id="recap"'))
    assert order == sorted(order)


def test_failures_name_host_task_and_message(report_run):
    failures = report_run.html.split('<section id="failures"')[1].split("</section>")[0]
    rows = re.findall(r'<tr class="failure">(.*?)</tr>', failures, re.S)
    assert len(rows) == 3
    ghost = next(r for r in rows if "<td>ghost</td>" in r)
    assert "Connection refused" in ghost  # why it is unreachable
    beta = next(r for r in rows if "<td>beta</td>" in r)
    assert "disk check" in beta and "disk-full-on-beta" in beta and "rc=3" in beta
    alpha = next(r for r in rows if "<td>alpha</td>" in r)
    assert "quiet failure" in alpha and "no_log: true" in alpha  # the censored text


def test_every_host_has_a_timeline_of_its_tasks(report_run):
    hosts = report_run.html.split('<section id="hosts"')[1].split("</section>")[0]
    assert 'class="badge unreachable"' in hosts
    for host in ("alpha", "beta", "ghost"):
        assert f'<h3 class="host" id="host-{host}">{host}</h3>' in hosts
    alpha = hosts.split('id="host-alpha"')[1].split("</table>")[0]
    for name in ("say hello", "echo the vaulted value", "quiet secret", "quiet failure"):
        assert name in alpha
    assert 'class="badge changed"' in alpha and 'class="badge failed"' in alpha
    starts = [float(s) for s in re.findall(r'class="num">\+([0-9.]+)s', alpha)]
    assert starts == sorted(starts)  # one host's tasks one after another
    for left, width in re.findall(r"left:([0-9.]+)%;width:([0-9.]+)%", hosts):
        assert 0 <= float(left) <= 100 and 0 < float(width) <= 100


def test_values_are_escaped(report_run):
    assert "say &lt;hello&gt; &amp; &quot;quote&quot;" in report_run.html
    assert "<hello>" not in report_run.html


def test_changed_files_show_the_predicted_diff(report_run):
    section = report_run.html.split('<section id="changed-files"')[1].split("</section>")[0]
    assert "alpha: " in section and "conf.txt" in section
    assert '<span class="del">-old line</span>' in section
    assert '<span class="add">+new line</span>' in section


def test_recap_has_the_counters_of_every_host(report_run):
    recap = report_run.html.split('<section id="recap"')[1]
    rows = dict(re.findall(r'<tr class="recap-host"><td>(\w+)</td>(.*?)</tr>', recap))
    assert set(rows) == {"alpha", "beta", "ghost"}
    counts = [int(n) for n in re.findall(r">(\d+)<", rows["beta"])]
    assert counts[3] == 1  # failed


def test_no_secret_reaches_the_page(report_run):
    assert NO_LOG_SECRET not in report_run.html
    assert VAULT_SECRET not in report_run.html
    assert "disk-full-on-beta ********" in report_run.html  # the failure quoted it: masked


def test_the_page_is_self_contained(report_run):
    html = report_run.html.lower()
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=|url\(|@import|https?://""", html)


def test_written_atomically_and_private(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old")
    atomic_write(target, "new page", 0o600)
    assert target.read_text() == "new page"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert os.listdir(tmp_path) == ["r.html"]  # no temp file left behind

    with pytest.raises(TypeError):  # the write fails half way: the old page stays
        atomic_write(target, 12345, 0o600)  # type: ignore[arg-type]
    assert target.read_text() == "new page" and os.listdir(tmp_path) == ["r.html"]

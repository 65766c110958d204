"""Console output: ansible-playbook's layout, tasks grouped across hosts, recap, failures."""

import io
import textwrap

from rich.console import Console

from edgeauto.cli import main as cli_main
from edgeauto.output.console import ConsoleReporter, recap_text
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run


def setup(tmp_path, hosts=("h1", "h2", "h3")):
    inv = tmp_path / "inv.yml"
    inv.write_text(
        "all:\n  hosts:\n" + "".join(f"    {h}: {{ansible_connection: local}}\n" for h in hosts)
    )
    return inv


def run_text(tmp_path, playbook, **options):
    inv = setup(tmp_path)
    pb = tmp_path / "pb.yml"
    pb.write_text(textwrap.dedent(playbook).replace("WORK", str(tmp_path)))
    buf = io.StringIO()
    console = Console(file=buf, width=200, color_system=None, highlight=False, soft_wrap=True)
    reporter = ConsoleReporter(console=console, **options)
    run = Run([pb], RunOptions(inventory_sources=[str(inv)], write_retry_file=False), reporter)
    result = run.execute()
    return result, buf.getvalue()


def test_each_task_is_printed_once_with_every_hosts_line_in_inventory_order(tmp_path):
    result, text = run_text(
        tmp_path,
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: first
              command: echo 1
            - name: second
              shell: "test {{ inventory_hostname }} != h2"
        """,
    )
    lines = [ln for ln in text.splitlines() if ln.strip()]
    first = lines.index("TASK [first] " + "*" * (79 - len("TASK [first] ")))
    assert lines[first + 1 : first + 4] == ["changed: [h1]", "changed: [h2]", "changed: [h3]"]
    assert text.count("TASK [second]") == 1
    assert "fatal: [h2]: FAILED!" in text
    assert "  task 'second' at " in text and "  exit code: 1" in text
    assert "PLAY RECAP" in text
    assert result.exit_code == 2


def test_debug_messages_and_loop_items_look_like_ansible(tmp_path):
    _, text = run_text(
        tmp_path,
        """
        - hosts: h1
          gather_facts: false
          tasks:
            - debug: {msg: hello}
            - command: echo {{ item }}
              loop: [a, b]
        """,
    )
    assert 'ok: [h1] => {\n    "msg": "hello"\n}' in text
    assert "changed: [h1] => (item=a)" in text and "changed: [h1] => (item=b)" in text


def test_no_log_results_are_censored(tmp_path):
    _, text = run_text(
        tmp_path,
        """
        - hosts: h1
          gather_facts: false
          tasks:
            - shell: echo supersecret; exit 1
              no_log: true
        """,
        verbosity=2,
    )
    assert "supersecret" not in text
    assert "censored" in text


def test_recap_line_format_matches_ansible():
    line = recap_text(
        {"web1": dict(ok=2, changed=1, unreachable=0, failed=0, skipped=3, rescued=0, ignored=0)}
    )
    assert line.startswith(
        "web1                       : ok=2    changed=1    unreachable=0    "
        "failed=0    skipped=3    rescued=0    ignored=0"
    )


def test_cli_list_tasks_and_validation_errors_touch_no_host(tmp_path, capsys):
    inv = setup(tmp_path, hosts=("h1",))
    pb = tmp_path / "pb.yml"
    pb.write_text("- hosts: all\n  tasks:\n    - name: t1\n      command: echo\n      tags: [x]\n")
    assert cli_main(["run", "-i", str(inv), str(pb), "--list-tasks"]) == 0
    assert "t1\tTAGS: [x]" in capsys.readouterr().out
    bad = tmp_path / "bad.yml"
    bad.write_text("- hosts: all\n  tasks:\n    - name: t1\n      commnd: echo\n")
    assert cli_main(["run", "-i", str(inv), str(bad)]) == 1
    assert "bad.yml:4" in capsys.readouterr().err


def _result(host, task, key, status="ok"):
    from edgeauto.planner.results import TaskResult

    return TaskResult(host, task, status, {"changed": status == "changed"}, key=key)


def test_out_of_order_segments_are_regrouped_per_task():
    from edgeauto.errors import Position
    from edgeauto.playbook.model import Task

    buf = io.StringIO()
    rep = ConsoleReporter(console=Console(file=buf, width=120, color_system=None))
    t1 = Task("command", {}, Position("x.yml", 1), name="one")
    t2 = Task("command", {}, Position("x.yml", 2), name="two")
    rep.batch_start(["a", "b"])
    rep.task_result(_result("a", t1, (0, 1, 1)))  # host a reports a whole segment at once
    rep.task_result(_result("a", t2, (0, 2, 1)))
    assert "TASK [one]" not in buf.getvalue()  # b has not reported 'one' yet
    rep.task_result(_result("b", t1, (0, 1, 1), "changed"))
    rep.task_result(_result("b", t2, (0, 2, 1)))
    rep.batch_end(["a", "b"])
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    assert [ln for ln in lines if not ln.startswith("TASK")] == [
        "ok: [a]",
        "changed: [b]",
        "ok: [a]",
        "ok: [b]",
    ]
    assert sum(ln.startswith("TASK") for ln in lines) == 2


def test_a_slow_host_does_not_hold_back_the_others_forever():
    from edgeauto.errors import Position
    from edgeauto.playbook.model import Task

    buf = io.StringIO()
    rep = ConsoleReporter(console=Console(file=buf, width=120, color_system=None))
    rep.stale_after = 0.0
    t1 = Task("command", {}, Position("x.yml", 1), name="one")
    rep.batch_start(["fast", "slow"])
    rep.task_result(_result("fast", t1, (0, 1, 1)))
    assert "ok: [fast]" in buf.getvalue()
    rep.task_result(_result("slow", t1, (0, 1, 1)))
    assert buf.getvalue().count("TASK [one]") == 2 and "ok: [slow]" in buf.getvalue()
    rep.batch_end(["fast", "slow"])


def test_adhoc_runs_one_module_on_matching_hosts(tmp_path, capsys):
    inv = setup(tmp_path, hosts=("h1", "h2"))
    assert cli_main(["adhoc", "-i", str(inv), "h2", "-a", "echo hi"]) == 0
    out = capsys.readouterr().out
    assert "h2 | CHANGED | rc=0 >>\nhi" in out and "h1" not in out
    target = tmp_path / "made"
    assert (
        cli_main(["adhoc", "-i", str(inv), "h1", "-m", "file", "-a", f"path={target} state=touch"])
        == 0
    )
    assert target.exists()
    assert cli_main(["adhoc", "-i", str(inv), "all", "-a", "false"]) == 2


def _live_result(host, name, status, task):
    from types import SimpleNamespace

    return SimpleNamespace(
        host=host,
        status=status,
        ignored=False,
        key=(name,),
        task=task,
        is_handler=False,
        result={"msg": "boom"} if status == "failed" else {},
        item_results=[],
        delegated_to=None,
        no_log=False,
        hidden=False,
    )


def test_the_live_line_counts_done_running_failed_and_names_the_slowest_host():
    from types import SimpleNamespace

    console = Console(file=io.StringIO(), width=200, color_system=None)
    reporter = ConsoleReporter(console=console)
    reporter.batch_start(["h1", "h2", "h3"])
    first = SimpleNamespace(display_name="first", pos=None, action="command")
    second = SimpleNamespace(display_name="second", pos=None, action="command")
    for host in ("h1", "h2", "h3"):
        reporter.task_result(_live_result(host, "first", "ok", first))
    reporter.task_result(_live_result("h1", "second", "ok", second))
    reporter.task_result(_live_result("h2", "second", "failed", second))
    reporter.host_done("h1")
    reporter.host_done("h2")
    text = reporter._status_text()
    assert text.startswith("2/3 hosts done, 1 failed, 1 running; slowest: h3 (after TASK [first])")
    assert text.endswith("s elapsed")

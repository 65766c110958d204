"""The benchmark harness's own logic (bench/): the latency proxy's delay rule and the summary
table's ratio and round-trip arithmetic. No timing is measured or asserted here: the proxy's
clock is made up and the rows are written by hand."""

import pytest

from bench.proxy import DelayLine, parse_pair
from bench.report import markdown_tables, summarize, targets


def test_delay_line_holds_each_chunk_for_the_delay_and_keeps_order():
    line = DelayLine(0.05)
    line.push(b"a", now=10.0)
    line.push(b"b", now=10.01)
    assert line.next_due() == pytest.approx(10.05)
    assert line.pop_due(10.049) == []
    assert line.pop_due(10.05) == [b"a"]
    assert line.next_due() == pytest.approx(10.06)
    line.push(b"c", now=10.02)
    assert line.pop_due(11.0) == [b"b", b"c"]
    assert line.next_due() is None and len(line) == 0


def test_delay_line_zero_delay_passes_through_and_negative_is_refused():
    line = DelayLine(0)
    line.push(b"x", now=5.0)
    assert line.pop_due(5.0) == [b"x"]
    with pytest.raises(ValueError, match="delay must be >= 0"):
        DelayLine(-1)


def test_proxy_pairs_are_loopback_only():
    assert parse_pair("127.78.0.2:2222=127.78.0.2:22") == (("127.78.0.2", 2222), ("127.78.0.2", 22))
    with pytest.raises(SystemExit, match="not a loopback address"):
        parse_pair("10.0.0.1:2222=127.0.0.1:22")
    with pytest.raises(SystemExit, match="expected LISTEN_HOST:PORT=TARGET_HOST:PORT"):
        parse_pair("127.0.0.1:22")


def row(tool, wall, rtt=0, mode="cold", rep=0, **extra):
    return {
        "workload": "w2",
        "phase": "run2",
        "tool": tool,
        "n": 10,
        "rtt": rtt,
        "mode": mode,
        "rep": rep,
        "wall": wall,
        "ok": True,
        **extra,
    }


def test_summary_min_median_ratio_to_the_reference_in_the_same_cell():
    rows = [row("ref", w, rep=i) for i, w in enumerate((1.0, 3.0, 2.0))]
    rows += [
        row("edgeauto", w, rep=i, cpu=c) for i, (w, c) in enumerate(((2.0, 1), (5.0, 3), (4.0, 2)))
    ]
    rows += [row("ref", 0.5, mode="warm"), row("edgeauto", 2.0, mode="warm")]
    cells = {(c.tool, c.mode): c for c in summarize(rows)}
    ea = cells[("edgeauto", "cold")]
    assert (ea.runs, ea.min, ea.median, ea.cpu) == (3, 2.0, 4.0, 2)
    assert ea.ratio == pytest.approx(2.0)  # 4.0 against the cold reference's median 2.0
    assert cells[("edgeauto", "warm")].ratio == pytest.approx(4.0)  # against the warm ref
    assert cells[("ref", "cold")].ratio == pytest.approx(1.0)


def test_round_trips_per_host_are_the_added_time_over_the_rtt():
    rows = [
        row("ref", 1.0),
        row("ref", 1.5, rtt=100),
        row("pyinfra", 2.0),
        row("pyinfra", 5.5, rtt=100),
        row("edgeauto", 3.0, rtt=100),
    ]
    cells = {(c.tool, c.rtt): c for c in summarize(rows)}
    assert cells[("ref", 100)].round_trips == pytest.approx(5.0)
    assert cells[("pyinfra", 100)].round_trips == pytest.approx(35.0)
    assert cells[("edgeauto", 100)].round_trips is None  # no 0 ms cell to compare with
    assert cells[("ref", 0)].round_trips is None


def test_markdown_table_has_one_line_per_cell_and_marks_failures():
    rows = [row("ref", 1.0), row("edgeauto", 1.2, ok=False)]
    text = markdown_tables(summarize(rows))
    lines = [x for x in text.splitlines() if x.startswith("| ") and "---" not in x]
    assert len(lines) == 3  # header + 2 cells
    assert "1.20×" in text and "**no**" in text


def test_targets_table_reports_each_ratio_against_its_limit():
    rows = [
        row("ref", 1.0),
        row("edgeauto", 1.1),
        row("ref", 0.1, mode="warm"),
        row("edgeauto", 0.3, mode="warm"),
        row("pyinfra", 4.0),
    ]
    text = targets(summarize(rows))
    cold = next(x for x in text.splitlines() if "cold reference" in x)
    warm = next(x for x in text.splitlines() if "warm reference" in x)
    assert "1.10× ref" in cold and "**met**" in cold
    assert "3.00× ref" in warm and "not met" in warm
    pyinfra = [x for x in text.splitlines() if "than pyinfra" in x]
    assert any("3.6×" in x and "**met**" in x for x in pyinfra)  # 4.0 / 1.1


def test_merged_passes_keep_their_cells_and_ratios_apart():
    from bench.run import merge_rows

    first = [row("ref", 1.0), row("ref", 1.2, rep=1), row("edgeauto", 2.0)]
    later = [row("ref", 5.0), row("edgeauto", 6.0)]
    cells = {(c.tool, c.run): c for c in summarize(merge_rows([first, later]))}
    assert cells[("ref", 1)].median == pytest.approx(1.1) and cells[("ref", 2)].median == 5.0
    assert cells[("edgeauto", 1)].ratio == pytest.approx(2.0 / 1.1)  # its own pass's ref
    assert cells[("edgeauto", 2)].ratio == pytest.approx(1.2)

"""The summary table and junit XML of an ``edgeauto test`` run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from edgeauto.fsutil import atomic_write
from edgeauto.scenarios.runner import STEPS, ScenarioResult


def summary(results: list[ScenarioResult]) -> str:
    rows = [["SCENARIO", "PLATFORMS", *(s.upper() for s in STEPS), "TIME"]]
    for r in results:
        cells = [r.scenario.name, ", ".join(p.name for p in r.scenario.platforms)]
        for name in STEPS:
            step = r.step(name)
            cells.append(
                {"ok": "ok", "failed": "FAILED", "skipped": "-"}[step.status] if step else "-"
            )
        cells.append(f"{sum(s.seconds for s in r.steps):.1f}s")
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    passed = sum(r.ok for r in results)
    lines.append(f"{passed}/{len(results)} scenarios passed")
    return "\n".join(lines)


def junit(results: list[ScenarioResult], path: Path) -> None:
    """One testcase per step of each scenario (classname = the scenario), as CI systems read."""
    suite = ET.Element("testsuite", name="edgeauto test")
    failures = skipped = tests = 0
    total = 0.0
    for r in results:
        for step in r.steps:
            tests += 1
            total += step.seconds
            case = ET.SubElement(
                suite,
                "testcase",
                classname=r.scenario.name,
                name=step.name,
                time=f"{step.seconds:.3f}",
            )
            if step.status == "failed":
                failures += 1
                ET.SubElement(case, "failure", message=step.message[:500]).text = step.message
            elif step.status == "skipped":
                skipped += 1
                ET.SubElement(case, "skipped", message=step.message)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("time", f"{total:.3f}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    atomic_write(path, ET.tostring(root, encoding="unicode") + "\n")

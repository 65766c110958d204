"""Findings as text (``file:line:col: [rule] message``), JSON or SARIF 2.1.0 for CI code
scanning."""

from __future__ import annotations

import json

from edgeauto import __version__
from edgeauto.lint.model import Finding
from edgeauto.lint.rules import all_rules

JSON_SCHEMA_VERSION = 1


def as_text(findings: list[Finding]) -> str:
    lines = [str(f) for f in findings]
    rules = len({f.rule for f in findings})
    lines.append(f"{len(findings)} finding(s) from {rules} rule(s)" if findings else "no findings")
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps(
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "file": f.pos.file,
                    "line": f.pos.line,
                    "col": f.pos.col,
                    "fixable": f.fix is not None,
                }
                for f in findings
            ],
        },
        indent=2,
    )


def as_sarif(findings: list[Finding]) -> str:
    rules = all_rules()
    used = sorted({f.rule for f in findings} | set(rules))
    return json.dumps(
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "edgeauto-lint",
                            "version": __version__,
                            "rules": [_sarif_rule(rules.get(rule_id), rule_id) for rule_id in used],
                        }
                    },
                    "results": [_sarif_result(f) for f in findings],
                }
            ],
        },
        indent=2,
    )


def _sarif_rule(rule, rule_id: str) -> dict:
    if rule is None:  # load-failure
        return {"id": rule_id, "shortDescription": {"text": "the file could not be read"}}
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "defaultConfiguration": {"level": rule.severity},
    }


def _sarif_result(finding: Finding) -> dict:
    region = {"startLine": max(finding.pos.line, 1)}
    if finding.pos.col:
        region["startColumn"] = finding.pos.col
    return {
        "ruleId": finding.rule,
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": finding.pos.file}, "region": region}}
        ],
    }

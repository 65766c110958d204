"""Test oracle: render (template, vars) cases with ansible-core's own Templar.

Run as a subprocess (ansible-core keeps process-wide state, so it stays out of the pytest
process): reads a JSON list of {"template": str, "vars": dict} on stdin, writes a JSON list of
{"ok": value} or {"error": "ExceptionType: message"} on stdout.
"""

import json
import os
import sys
import warnings

os.environ.setdefault(
    "ANSIBLE_LOCAL_TEMP", os.path.join(os.environ.get("TMPDIR", "/tmp"), "edgeauto-oracle")
)
warnings.filterwarnings("ignore")


def main() -> None:
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    cases = json.load(sys.stdin)
    loader = DataLoader()
    out = []
    for case in cases:
        variables = {
            k: trust_as_template(v) if isinstance(v, str) else v for k, v in case["vars"].items()
        }
        templar = Templar(loader=loader, variables=variables)
        try:
            value = templar.template(trust_as_template(case["template"]))
            out.append({"ok": json.loads(json.dumps(value, default=str))})
        except Exception as exc:  # noqa: BLE001 - any failure is an oracle answer
            out.append({"error": f"{type(exc).__name__}: {exc}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

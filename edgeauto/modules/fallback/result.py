"""What a module printed → the result ansible-playbook reports for it.

The same steps as ansible-core's action base and task executor, in the same order:

* the JSON object is found among the output lines (junk before the first line that starts
  with ``{`` and after the last that ends with ``}`` is ignored, as ``_filter_non_json_lines``
  does); output that is no JSON object is a module failure with ``module_stdout``,
  ``module_stderr`` and ``rc``;
* internal keys (``_ansible_*``) go, an empty ``warnings``/``deprecations`` goes, a
  ``results`` that is not a list becomes ``ansible_module_results``; warnings become their
  message and deprecations plain dicts, as ansible-playbook registers them (ansible-core 2.19
  modules print them as tagged objects);
* ``stdout_lines``/``stderr_lines`` are added next to ``stdout``/``stderr``;
* ``failed`` defaults to "the result has an ``rc`` other than 0", ``changed`` to false; a
  failed result carries ``exception`` (the traceback, or ``(traceback unavailable)``).
"""

from __future__ import annotations

import json
from typing import Any


def parse_output(stdout: str) -> tuple[dict | None, str]:
    """(the module's JSON object, why not) from its standard output."""
    lines = stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith("{")]
    if not starts:
        return None, "No start of json char found"
    ends = [i for i, line in enumerate(lines) if line.rstrip().endswith("}") and i >= starts[0]]
    if not ends:
        return None, "No end of json char found"
    try:
        data = json.loads("\n".join(lines[starts[0] : ends[-1] + 1]))
    except ValueError as exc:
        return None, str(exc)
    if not isinstance(data, dict):
        return None, "the module did not print a JSON object"
    return data, ""


def module_result(stdout: str, stderr: str, rc: int, interpreter: str = "") -> dict[str, Any]:
    """The Ansible-shaped result of one module run (see the module docstring)."""
    data, why = parse_output(stdout)
    if data is None:
        data = _module_failure(stdout, stderr, rc, why, interpreter)
    else:
        data.pop("_ansible_suppress_tmpdir_delete", None)
        results = data.get("results")
        if "results" in data and (not isinstance(results, list)):
            data["ansible_module_results"] = data.pop("results")
        for key in list(data):
            if key.startswith("_ansible_"):
                del data[key]
        for key in ("warnings", "deprecations"):
            if key in data and not data[key]:
                del data[key]
        if isinstance(data.get("warnings"), list):
            data["warnings"] = [_warning(w) for w in data["warnings"]]
        if isinstance(data.get("deprecations"), list):
            data["deprecations"] = [_deprecation(d) for d in data["deprecations"]]
        data = {k: v if k in ("warnings", "deprecations") else _untag(v) for k, v in data.items()}
        facts = data.get("ansible_facts")
        if isinstance(facts, dict):
            for key in list(facts):
                if key.startswith(("discovered_interpreter_", "ansible_discovered_interpreter_")):
                    del facts[key]
    if data.get("failed") or data.get("exception"):
        data["exception"] = _exception_text(data.get("exception"))
    elif "exception" in data:
        del data["exception"]
    for key in ("stdout", "stderr"):
        if key in data and f"{key}_lines" not in data:
            data[f"{key}_lines"] = str(data.get(key) or "").splitlines()
    if "failed" not in data:
        data["failed"] = "rc" in data and data["rc"] not in (0, "0")
    data.setdefault("changed", False)
    return data


def _module_failure(stdout: str, stderr: str, rc: int, why: str, interpreter: str) -> dict:
    msg = f"Module result deserialization failed: {why}"
    if interpreter and (
        f"{interpreter}: not found" in stderr or f"{interpreter}: No such file" in stderr
    ):
        msg = f"The module interpreter '{interpreter}' was not found."
    out: dict[str, Any] = {
        "failed": True,
        "msg": msg,
        "module_stdout": stdout,
        "module_stderr": stderr,
        "rc": rc,
    }
    return out


def _untag(value: Any) -> Any:
    """ansible-core 2.19 modules tag objects (``"__ansible_type": "PluginType"`` …); the
    controller reads them back as objects. Plain data here: tags dropped, a tagged
    ``{"value": x}`` is ``x``."""
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    tagged = "__ansible_type" in value
    out = {k: _untag(v) for k, v in value.items() if k != "__ansible_type"}
    if tagged and set(out) == {"value"}:
        return out["value"]
    return out


def _warning(value: Any) -> Any:
    """A module warning as ansible-playbook registers it: its message."""
    if isinstance(value, dict) and isinstance(value.get("event"), dict):
        return value["event"].get("msg", "")
    return _untag(value)


def _deprecation(value: Any) -> Any:
    """A module deprecation as ansible-playbook registers it: collection_name, deprecator,
    msg, version/date."""
    if not (isinstance(value, dict) and isinstance(value.get("event"), dict)):
        return _untag(value)
    deprecator = _untag(value.get("deprecator")) or {}
    out: dict[str, Any] = {}
    name = str(deprecator.get("resolved_name") or "") if isinstance(deprecator, dict) else ""
    if name:
        out["collection_name"] = ".".join(name.split(".")[:2])
    if deprecator:
        out["deprecator"] = deprecator
    out["msg"] = value["event"].get("msg", "")
    for key in ("version", "date"):
        if value.get(key) is not None:
            out[key] = value[key]
    return out


def _exception_text(value: Any) -> str:
    """ansible-core 2.19 turns a failed result's ``exception`` into an error summary that
    prints as the module's traceback, or ``(traceback unavailable)`` without one."""
    if isinstance(value, dict):
        value = value.get("formatted_traceback") or (value.get("event") or {}).get(
            "formatted_traceback"
        )
    text = str(value).strip() if value else ""
    return text or "(traceback unavailable)"

"""Helpers shared by the xfer group (raw, script, wait_for, get_url, uri, unarchive, reboot).

Not a module (the registry skips ``_*`` files): result shaping for modules that run a user
command (rc/stdout/stderr like Ansible's low-level execute), and the controller-side loop that
modules needing the connection itself (``wait_for_connection``, ``reboot``) share.
"""

from __future__ import annotations

from edgeauto.modules.base import standard_result


def command_result(record: dict, *, strip: bool = False) -> dict:
    """``rc``/``stdout``/``stderr`` (+ ``_lines``) of a command a shell function ran.

    The function reports the command's output as ``cmd_stdout``/``cmd_stderr`` fields, so the
    function's own stray output never mixes in. Ansible's raw/script do not strip trailing
    newlines (``strip=False``).
    """
    fields = record.get("fields", {})
    out = standard_result(record)
    ran = "cmd_stdout" in fields
    for key in ("stdout", "stderr"):
        value = out.pop(f"cmd_{key}", None)
        if value is None:
            continue
        if strip:
            value = value.rstrip("\r\n")
        out[key] = value
        out[f"{key}_lines"] = value.splitlines()
    if ran:
        out["changed"] = True
    if not out.get("msg") and "msg" in out:
        del out["msg"]
    return out


def static_check(module, args: dict, pos, final: bool) -> None:
    """Run ``module.check_args`` at playbook validation too when no argument is templated,
    so a bad combination is refused before anything runs on any host."""
    from edgeauto.modules.spec import is_templated

    if not final and not is_templated(args):
        module.check_args(args, pos)

"""Controller-side modules: ``debug``, ``set_fact``, ``assert``, ``fail``.

They run in the controller process with the host's variables and never cost a round trip.
Arguments arrive already templated; ``assert``'s ``that`` and ``debug``'s ``var`` are bare
expressions evaluated with ``ctx.evaluate`` (Ansible's conditional semantics).
"""

from __future__ import annotations

import re
from typing import Any

from edgeauto.errors import EdgeautoError, ModuleArgumentError, Position
from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.spec import ModuleSpec, Option, to_bool

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _evaluate(ctx: ControllerContext, expr: Any) -> Any:
    if not isinstance(expr, str):
        return expr
    if ctx.evaluate is not None:
        return ctx.evaluate(expr)
    if ctx.templar is None:
        raise EdgeautoError("no templar to evaluate an expression (internal)", ctx.pos)
    return ctx.templar.render("{{ " + expr + " }}")


class DebugModule(ControllerModule):
    spec = ModuleSpec(
        name="debug",
        short_description="Print a message or a variable's value",
        options={
            "msg": Option(
                type="raw", default="Hello world!", description="Message to print (templated)."
            ),
            "var": Option(description="A variable name or expression to print."),
            "verbosity": Option(
                type="int", default=0, description="Only print at this -v level or higher."
            ),
        },
        mutually_exclusive=(("msg", "var"),),
        returns={"msg": "The message.", "<var>": "The variable's value, keyed by its name."},
        examples="- debug:\n    msg: 'Host {{ inventory_hostname }} runs {{ ansible_distribution }}'\n- debug:\n    var: result.stdout_lines\n",
    )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        if int(args.get("verbosity") or 0) > ctx.verbosity:
            return {
                "changed": False,
                "skipped": True,
                "skipped_reason": "Verbosity threshold not met.",
            }
        if args.get("var") is not None:
            name = str(args["var"])
            try:
                value = _evaluate(ctx, name)
            except EdgeautoError as exc:
                if "undefined" not in str(exc).lower() and "is not defined" not in str(exc):
                    raise
                value = "VARIABLE IS NOT DEFINED!"
            if type(value).__name__ in ("Undefined", "StrictUndefined", "AnsibleUndefined"):
                value = "VARIABLE IS NOT DEFINED!"
            return {"changed": False, name: value}
        msg = args.get("msg", "Hello world!")
        return {"changed": False, "msg": "Hello world!" if msg is None else msg}


class SetFactModule(ControllerModule):
    spec = ModuleSpec(
        name="set_fact",
        short_description="Set host variables (facts) from this task on",
        options={
            "key_value": Option(
                type="raw", description="key: value pairs; every key becomes a variable."
            ),
            "cacheable": Option(
                type="bool", default=False, description="Also store in the fact cache."
            ),
        },
        accepts_any_args=True,
        returns={"ansible_facts": "The variables that were set."},
        examples="- set_fact:\n    app_port: 8080\n    app_url: 'http://{{ inventory_hostname }}:8080'\n",
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        facts = {k: v for k, v in args.items() if k != "cacheable"}
        if not facts:
            raise ModuleArgumentError("set_fact needs at least one key: value pair", pos)
        for key in facts:
            if not _IDENTIFIER.fullmatch(str(key)):
                raise ModuleArgumentError(
                    f"The variable name '{key}' is not valid. Variables must start with a letter "
                    "or underscore character, and contain only letters, numbers and underscores.",
                    pos,
                )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        self.check_args(args, ctx.pos)
        cacheable = False
        if "cacheable" in args:
            cacheable = to_bool(args["cacheable"])
        facts = {k: v for k, v in args.items() if k != "cacheable"}
        ctx.set_facts.update(facts)
        result = {"changed": False, "ansible_facts": dict(facts)}
        if cacheable:
            result["ansible_facts_cacheable"] = True
        return result


class AssertModule(ControllerModule):
    spec = ModuleSpec(
        name="assert",
        short_description="Fail unless every given expression is true",
        options={
            # raw, not list: Ansible's assert is an action plugin, a string is ONE expression
            # (a list-typed option would split "x == [1, 2]" at its commas)
            "that": Option(type="raw", required=True, description="Expressions (like `when`)."),
            "fail_msg": Option(
                type="raw", aliases=("msg",), description="Message when an assertion fails."
            ),
            "success_msg": Option(type="raw", description="Message when all pass."),
            "quiet": Option(type="bool", default=False, description="Less output on success."),
        },
        returns={
            "assertion": "The first failing expression.",
            "evaluated_to": "Its value (false).",
        },
        examples="- assert:\n    that:\n      - ansible_memtotal_mb >= 512\n      - app_port | int > 0\n    fail_msg: not enough memory\n",
    )

    def validate(self, args: dict, pos=None, final: bool = False) -> dict:
        # One expression given as a string is one condition, commas and all (Ansible wraps
        # it in a list; a list option would split it at the commas).
        if isinstance(args.get("that"), str) and not args["that"].lstrip().startswith("["):
            args = {**args, "that": [args["that"]]}
        return super().validate(args, pos, final=final)

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        is_true = getattr(ctx.templar, "is_true", None)
        thats = args.get("that")
        for cond in thats if isinstance(thats, list) else [thats]:
            if isinstance(cond, bool):
                value = cond
            elif is_true is not None:
                value = is_true(cond, ctx.pos)
            else:
                value = bool(_evaluate(ctx, cond))
            if not value:
                return {
                    "failed": True,
                    "changed": False,
                    "assertion": cond,
                    "evaluated_to": False,
                    "msg": args.get("fail_msg") or "Assertion failed",
                }
        return {"changed": False, "msg": args.get("success_msg") or "All assertions passed"}


class FailModule(ControllerModule):
    spec = ModuleSpec(
        name="fail",
        action_plugin_args=True,
        short_description="Fail with a message",
        options={
            "msg": Option(
                type="raw", default="Failed as requested from task", description="The message."
            )
        },
        examples="- fail:\n    msg: unsupported distribution\n  when: ansible_os_family != 'Debian'\n",
    )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        msg = args.get("msg")
        return {
            "failed": True,
            "changed": False,
            "msg": "Failed as requested from task" if msg is None else msg,
        }


MODULES = [DebugModule(), SetFactModule(), AssertModule(), FailModule()]

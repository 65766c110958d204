"""``validate_argument_spec``: check variables against an Ansible argument spec, on the
controller (ansible.builtin.validate_argument_spec).

It is also the task edgeauto puts first in every role that declares
``meta/argument_specs.yml`` for its entry point, whichever way the role is applied
(``roles:``, ``import_role``, ``include_role``, a dependency), as ansible-core does: the
role's parameters and the host's variables (inventory, role defaults…) are checked per host,
so a required option set only in group_vars still passes.
"""

from __future__ import annotations

from typing import Any

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.spec import ModuleSpec, Option

_TYPES = {"str", "int", "float", "bool", "list", "dict", "path", "raw"}


class ValidateArgumentSpecModule(ControllerModule):
    spec = ModuleSpec(
        name="validate_argument_spec",
        short_description="Validate role or task arguments against a specification",
        options={
            "argument_spec": Option(
                type="raw", required=True, description="Options, as in meta/argument_specs.yml."
            ),
            "provided_arguments": Option(
                type="raw", description="Values to check (default: the host's variables)."
            ),
            "validate_args_context": Option(type="dict", description="Returned as given."),
        },
        returns={
            "argument_errors": "Every problem found, one string each.",
            "argument_spec_data": "The spec that was checked.",
        },
        examples=(
            "- validate_argument_spec:\n    argument_spec:\n      port: {type: int, required: true}\n"
        ),
    )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        spec = args.get("argument_spec") or {}
        provided = args.get("provided_arguments") or {}
        if not isinstance(spec, dict) or not isinstance(provided, dict):
            return {"failed": True, "msg": "argument_spec and provided_arguments must be mappings"}
        values = {k: ctx.host_vars[k] for k in spec if k in ctx.host_vars}
        values.update(provided)
        errors = spec_errors(spec, values, "")
        out: dict[str, Any] = {
            "changed": False,
            "argument_errors": errors,
            "argument_spec_data": spec,
            "validate_args_context": args.get("validate_args_context") or {},
        }
        if errors:
            out.update(failed=True, msg="Validation of arguments failed:\n" + "\n".join(errors))
        else:
            out["msg"] = "The arg spec validation passed"
        return out


def argspec_option(raw: dict) -> Option:
    """One option of an Ansible argument spec (meta/argument_specs.yml) as our Option: type
    (unknown types as raw), choices, elements; ``required`` and nesting are the caller's."""
    kind = str(raw.get("type", "str"))
    return Option(
        type=kind if kind in _TYPES else "raw",
        choices=tuple(raw["choices"]) if isinstance(raw.get("choices"), list) else None,
        elements=str(raw["elements"]) if raw.get("elements") in _TYPES else None,
    )


def spec_errors(spec: dict, values: dict, where: str) -> list[str]:
    """Every problem of ``values`` against an argument spec (required, type, choices,
    elements, nested ``options``), each naming the option's path."""
    errors: list[str] = []
    for name, raw in spec.items():
        raw = raw if isinstance(raw, dict) else {}
        path = f"{where}{name}"
        if name not in values or values[name] is None:
            if raw.get("required"):
                errors.append(f"missing required arguments: {path}")
            continue
        option = argspec_option(raw)
        try:
            value = ModuleSpec(path, "", options={name: option}).validate({name: values[name]})[
                name
            ]
        except ModuleArgumentError as exc:
            errors.append(exc.message)
            continue
        nested = raw.get("options")
        if isinstance(nested, dict):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    suffix = f"[{index}]" if isinstance(value, list) else ""
                    unknown = sorted(str(k) for k in item if k not in nested)
                    if unknown:
                        errors.append(
                            f"unsupported parameters in {path}{suffix}: {', '.join(unknown)} "
                            f"(supported: {', '.join(sorted(map(str, nested)))})"
                        )
                    errors += spec_errors(nested, item, f"{path}{suffix}.")
    return errors


MODULE = ValidateArgumentSpecModule()

"""What a finished background (``async`` + ``poll: 0``) job's record means, for the
``async_status`` module and the planner alike: its own module's result.

On the modules side because ``async_status`` (a module) needs it and modules never import the
planner (tests/unit/test_layering.py).
"""

from __future__ import annotations


def job_result(job_record, module, args, cctx) -> dict:
    """What a finished background job's record means: its module's own result. A job started
    by this run has its ``module``/``args``/``cctx``; one from an earlier run is finished by
    the module its record names (its shell function), without the arguments."""
    from edgeauto.modules.base import standard_result

    fields = job_record.fields
    function = fields.pop("_ea_function", None)
    if "timedout" in fields:
        return {"failed": True, "changed": False, "msg": "Timeout exceeded"}
    record = job_record.as_dict()
    if module is None:
        module = _module_of_function(function)
        if module is None:
            return standard_result(record)
    try:
        return module.finish(record, args, cctx)
    except Exception:  # noqa: BLE001 - a finish that needs the job's arguments
        return standard_result(record)


def _module_of_function(function: str | None):
    from edgeauto.modules.registry import all_modules

    for module in all_modules().values():
        if any(fn.name == function for fn in getattr(module, "shell_functions", ())):
            return module
    return None

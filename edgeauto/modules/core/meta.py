"""``meta`` and ``setup``: declared here (spec + docs), implemented by the executor.

``meta`` changes the run itself (flush handlers, end the play/host …), which only the executor
can do. ``setup`` gathers facts through the facts package's batched round trip
(``edgeauto.facts``), so it is not a shell function of its own.
"""

from __future__ import annotations

from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.spec import ModuleSpec, Option

META_ACTIONS = (
    "clear_facts",
    "clear_host_errors",
    "end_host",
    "end_play",
    "flush_handlers",
    "noop",
    "refresh_inventory",
    "reset_connection",
    "end_batch",
    "end_role",
)


class SpecOnlyModule(ControllerModule):
    """The executor recognises these by name; ``run`` is never called on the normal path."""

    executor_handled = True
    invalidates = None

    def __init__(self, spec: ModuleSpec):
        self.spec = spec

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        return {"failed": True, "msg": f"'{self.spec.name}' is implemented by the executor"}


META = SpecOnlyModule(
    ModuleSpec(
        name="meta",
        short_description="Act on the run itself: flush handlers, end play/host, …",
        options={
            "free_form": Option(required=True, choices=META_ACTIONS, description="The action.")
        },
        free_form="free_form",
        supports_check_mode=True,
        examples="- meta: flush_handlers\n- meta: end_host\n  when: skip_this_host | bool\n",
    )
)

SETUP = SpecOnlyModule(
    ModuleSpec(
        name="setup",
        short_description="Gather facts about the target (one batched round trip)",
        options={
            "gather_subset": Option(
                type="list",
                elements="str",
                default=["all"],
                description="Subsets: all, min, network, hardware … (! to exclude).",
            ),
            "filter": Option(
                type="list",
                elements="str",
                default=[],
                description="Only facts matching these globs.",
            ),
            "gather_timeout": Option(
                type="int", default=10, description="Seconds per fact collector."
            ),
            "fact_path": Option(
                type="path", default="/etc/ansible/facts.d", description="Local facts directory."
            ),
        },
        returns={"ansible_facts": "The gathered facts."},
        examples="- setup:\n    gather_subset: [min, network]\n",
    )
)

SETUP.returns_facts = True
MODULES = [META, SETUP]

"""``getent``: an NSS database as facts, ``ansible_facts.getent_<database>`` (ansible.builtin).

The target runs ``getent`` (or reads the /etc file of the database where BusyBox has no
getent); the controller splits the lines exactly as Ansible does: first field is the key,
the rest its list (a repeated key becomes a list of lists), ``:`` for passwd/group/shadow/
gshadow, whitespace for the others unless ``split`` says otherwise.
"""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import text
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option, to_bool

COLON = ("passwd", "shadow", "group", "gshadow")

SPEC = ModuleSpec(
    name="getent",
    short_description="A wrapper to the unix getent utility",
    description=(
        "Works like ansible.builtin.getent. Without getent (BusyBox) the /etc file of passwd, "
        "group, shadow, gshadow, hosts, services, protocols, networks or ethers is read."
    ),
    options={
        "database": Option(required=True, description="Database name: passwd, group, hosts ..."),
        "key": Option(description="Key to look up; all entries when not given."),
        "service": Option(description="NSS service to use (getent -s)."),
        "split": Option(description="Field separator (default ':' for colon databases)."),
        # Ansible's documented default is the string 'yes'; spec.validate keeps defaults as is
        "fail_key": Option(
            type="bool", default=True, description="Fail when the key is not found."
        ),
    },
    returns={"ansible_facts": "getent_<database>: key -> list of the other fields."},
    examples="- getent:\n    database: passwd\n    key: root\n",
)

EA_GETENT = ShellFunction("ea_getent", "getent.sh", params="database key service")

MESSAGES = {
    1: "Missing arguments, or database unknown.",
    2: "One or more supplied key could not be found in the database.",
    3: "Enumeration not supported on this database.",
}


def parse(out: str, split: str | None) -> dict:
    """Ansible's tree: key -> fields, a key seen again -> list of field lists."""
    tree: dict = {}
    seen: dict[str, int] = {}
    for line in out.splitlines():
        record = line.split(split)
        if not record:
            continue
        key = record[0]
        if key in seen:
            if seen[key] == 1:
                tree[key] = [tree[key]]
            tree[key].append(record[1:])
            seen[key] += 1
        else:
            tree[key] = record[1:]
            seen[key] = 1
    return tree


class GetentModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_GETENT,)
    returns_facts = True
    invalidates = None
    converged_in = "tests/integration/modules/test_users_lab.py: reads the lab hosts' databases"

    def fact_names(self, args: dict) -> list[str]:
        """The variable the facts appear as: a later task reading it waits for this one."""
        return [f"getent_{args['database']}"]

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        key = args.get("key")
        return EA_GETENT.call(
            database=str(args["database"]),
            key="" if key is None else "=" + str(key),
            service=text(args.get("service")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        raw = standard_result(record)
        if raw.get("failed"):
            return raw
        database = str(args["database"])
        split = args.get("split")
        if split is None and database in COLON:
            split = ":"
        rc_text = raw.get("getent_rc", "1")
        rc = int(rc_text) if rc_text.lstrip("-").isdigit() else 1
        tree_name = f"getent_{database}"
        out = {"changed": False, "failed": False}
        if rc == 0:
            out["ansible_facts"] = {tree_name: parse(raw.get("out", ""), split)}
            return out
        msg = MESSAGES.get(rc, "Unexpected failure!")
        if rc == 2 and not to_bool(args.get("fail_key", True)):
            out["ansible_facts"] = {tree_name: {str(args.get("key")): None}}
            out["msg"] = msg
            return out
        return {"changed": False, "failed": True, "msg": msg}


MODULE = GetentModule()

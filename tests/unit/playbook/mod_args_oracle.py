"""Run as a script: Ansible's own ModuleArgsParser on task mappings read as JSON from stdin.

A separate process because initialising Ansible's plugin loader changes interpreter-wide
import hooks. Prints a JSON list of [action, args, delegate_to] (delegate_to None if unset).
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    from ansible.parsing.mod_args import ModuleArgsParser
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()
    out = []
    for ds in json.load(sys.stdin):
        action, args, delegate = ModuleArgsParser(ds).parse()
        delegate = delegate if isinstance(delegate, str) else None
        out.append([action.rpartition(".")[2], {k: str(v) for k, v in args.items()}, delegate])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A test module of a role's library/: make a file hold exactly ``content``.

Supports check mode and diff like any well-behaved Ansible module; ``secret`` is a no_log
option (its value must never appear in a result or in output).
"""

import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "content": {"type": "str", "default": ""},
            "secret": {"type": "str", "no_log": True},
        },
        supports_check_mode=True,
    )
    path, content = module.params["path"], module.params["content"]
    old = None
    if os.path.exists(path):
        with open(path) as handle:
            old = handle.read()
    changed = old != content
    result = {"changed": changed, "path": path}
    if module._diff:
        result["diff"] = {"before": old or "", "after": content}
    if changed and not module.check_mode:
        with open(path, "w") as handle:
            handle.write(content)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

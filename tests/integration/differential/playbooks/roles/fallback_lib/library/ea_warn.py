#!/usr/bin/python3
"""A test module that warns, deprecates something and does not support check mode."""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"note": {"type": "str", "default": "x"}})
    module.warn("the note is only a note")
    module.deprecate("note will go away", version="99.0")
    module.exit_json(changed=False, note=module.params["note"])


if __name__ == "__main__":
    main()

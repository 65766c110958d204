"""Variables named like secrets holding plain text (not vaulted, not templated)."""

import re

from edgeauto.lint.model import Example, Finding, Rule

SECRET_NAME = re.compile(
    r"(^|_)(password|passwd|passphrase|secret|token|api_?key|private_key|secret_key|"
    r"access_key|auth_key|key)$",
    re.IGNORECASE,
)


def check(file, ctx):
    for var in file.variables:
        if not SECRET_NAME.search(var.name):
            continue
        value = var.value
        if not isinstance(value, str) or not value.strip() or "{{" in value or "{%" in value:
            continue  # vaulted (!vault is no str), templated from elsewhere, or empty
        yield Finding(
            RULE.id,
            f"'{var.name}' looks like a secret stored in plain text: encrypt it "
            "(`edgeauto vault encrypt_string`) or look it up from a vaulted variable",
            var.pos,
        )


RULE = Rule(
    id="no-plaintext-secrets",
    summary="secrets belong in vault, not in plain text",
    description=(
        "A variable whose name ends in password, passphrase, secret, token, api_key, "
        "private_key or key and whose value is literal text is a secret in the repository. "
        "Store it as `!vault` (`edgeauto vault encrypt_string --name NAME`) or template it "
        'from a vaulted variable (`db_password: "{{ vault_db_password }}"`). Vaulted values '
        "are masked in every output; plain ones are not."
    ),
    check=check,
    fails=(
        Example("db_password: hunter2\n", "group_vars/all.yml"),
        Example(
            "- hosts: all\n  vars:\n    api_token: abc123\n  tasks:\n"
            "    - name: Ping\n      ping:\n"
        ),
    ),
    passes=(
        Example(
            'db_password: "{{ vault_db_password }}"\nkey_file: /etc/app.key\n', "group_vars/all.yml"
        ),
        Example(
            "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n",
            "roles/db/defaults/main.yml",
        ),
    ),
)

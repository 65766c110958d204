"""Account modules where ansible-core's own integration targets (tests/compat, run half)
found edgeauto different from ansible-playbook, on real lab hosts."""

from __future__ import annotations

import pytest
from pkgs_harness import converge

pytestmark = pytest.mark.lab

NO_SHADOW = (
    "sed -i '/^ansibulluser:/d' /etc/passwd /etc/shadow && "
    "echo 'ansibulluser::575:575::/home/dummy:/bin/bash' >> /etc/passwd"
)


@pytest.mark.parametrize("local", [False, True], ids=["usermod", "files"])
def test_expires_minus_one_gives_a_user_without_shadow_entry_one(
    tmp_path, lab_inventory, fresh_host, local
):
    # The user target's test_expires_no_shadow: getent shadow must find the user afterwards.
    fresh_host.run(NO_SHADOW, check=True)
    tasks = f"""
    - name: unexpire
      user: {{name: ansibulluser, uid: 575, expires: -1, local: {local}}}
    """
    probe = "cat /etc/passwd /etc/shadow"
    check, real, _ = converge(tmp_path, lab_inventory, fresh_host, tasks, probe=probe)
    assert real["unexpire"]["_status"] == "changed"
    line = fresh_host.run("getent shadow ansibulluser", check=True).stdout
    assert line.split(":")[1] == "" and line.split(":")[7] == ""

"""Controller-side connection options (command line flags and config), shared by all transports.

Host variables (``ansible_user``, ``ansible_port`` …) win over these, as in Ansible where an
inventory's ``ansible_user`` beats ``-u``. These are the defaults a run starts from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

# Key exchange offered first to OpenSSH servers (``KexAlgorithms=^…``: OpenSSH's own list
# follows, so a server without these still connects). Measured on a 2-core controller: a cold
# connection with OpenSSH 9.2's default sntrup761x25519-sha512 costs ~77 ms of client CPU (and
# as much on the server), with curve25519-sha256 ~13 ms. Host authentication is untouched
# (host keys, strict checking); what is given up is the post-quantum half of the exchange —
# ``ssh_kex_algorithms = openssh`` keeps OpenSSH's default (docs/performance.md).
FAST_KEX = "^curve25519-sha256,curve25519-sha256@libssh.org"
KEX_CHOICES = {"fast": FAST_KEX, "openssh": "", "default": ""}


def kex_setting(value: str | None) -> str:
    """The ``KexAlgorithms`` value for a ``ssh_kex_algorithms`` setting ("": ssh's own)."""
    text = "fast" if value is None else str(value).strip()
    return KEX_CHOICES.get(text.lower(), text)


@dataclass
class TransportOptions:
    connect_timeout: float = 10.0  # TCP connect + SSH banner + auth
    user: str | None = None  # -u
    private_key_file: str | None = None  # --private-key
    password: str | None = None  # -k (connection password; paramiko only)
    become_password: str | None = None  # -K
    host_key_checking: bool = True  # strict by default
    known_hosts_file: str | None = None  # default: the user's ssh_config / ~/.ssh/known_hosts
    ssh_config_file: str | None = None  # -F for ssh, also read by paramiko
    control_dir: str | None = None  # where ControlMaster sockets live (private, 0700)
    control_persist: int = 60  # seconds a master stays after the last use
    ssh_executable: str = "ssh"
    kex_algorithms: str = FAST_KEX  # -o KexAlgorithms=…; "": OpenSSH's default list
    ssh_common_args: list[str] = field(default_factory=list)  # --ssh-common-args
    ssh_extra_args: list[str] = field(default_factory=list)  # --ssh-extra-args
    docker_executable: str = "docker"

    @classmethod
    def coerce(cls, value) -> TransportOptions:
        """Accept a TransportOptions, a dict of its fields, an argparse Namespace or None."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        names = {f.name for f in fields(cls)}
        data = value if isinstance(value, dict) else vars(value)
        return cls(**{k: v for k, v in data.items() if k in names and v is not None})

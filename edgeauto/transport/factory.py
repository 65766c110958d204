"""Choose and build a transport from a host's resolved variables.

``make_transport(host_vars, options=...)`` is the one entry point the engine uses. Host
variables follow Ansible's names and win over the command-line options (as in Ansible, an
inventory's ``ansible_user`` beats ``-u``).
"""

from __future__ import annotations

import logging

from edgeauto.errors import EdgeautoError
from edgeauto.modules.spec import to_bool
from edgeauto.transport.base import BecomeSpec, Transport
from edgeauto.transport.openssh import split_args
from edgeauto.transport.options import TransportOptions

log = logging.getLogger(__name__)

CONNECTIONS = ("ssh", "openssh", "smart", "paramiko", "paramiko_ssh", "local", "docker")


def _first(host_vars: dict, *names, default=None):
    for name in names:
        value = host_vars.get(name)
        if value is not None and value != "":
            return value
    return default


def _strip_fqcn(value: str) -> str:
    for prefix in (
        "ansible.builtin.",
        "ansible.legacy.",
        "community.docker.",
        "community.general.",
    ):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def make_transport(host_vars: dict, *, options=None) -> Transport:
    """Build the transport for one host.

    ``host_vars`` are the host's variables (``inventory_hostname``, ``ansible_connection``,
    ``ansible_host``, ``ansible_port``, ``ansible_user``, key/args/password variables);
    ``options`` is a :class:`TransportOptions`, a dict of its fields, an argparse namespace or
    None.
    """
    opts = TransportOptions.coerce(options)
    name = str(_first(host_vars, "inventory_hostname", "ansible_host", default="localhost"))
    kind = _strip_fqcn(str(_first(host_vars, "ansible_connection", default="ssh")))
    if kind not in CONNECTIONS:
        from edgeauto.errors import did_you_mean

        raise EdgeautoError(
            f"host {name}: unknown ansible_connection {kind!r}: expected one of "
            f"ssh, paramiko, local, docker",
            hint=did_you_mean(kind, CONNECTIONS),
        )
    hostname = str(_first(host_vars, "ansible_host", "ansible_ssh_host", default=name))
    port = _first(host_vars, "ansible_port", "ansible_ssh_port")
    if port is not None:
        try:
            port = int(port)
        except (TypeError, ValueError):
            raise EdgeautoError(
                f"host {name}: ansible_port must be a number, found {port!r}"
            ) from None
    user = _first(host_vars, "ansible_user", "ansible_ssh_user", default=opts.user)
    key = _first(
        host_vars,
        "ansible_ssh_private_key_file",
        "ansible_private_key_file",
        default=opts.private_key_file,
    )
    checking = _first(
        host_vars,
        "ansible_host_key_checking",
        "ansible_ssh_host_key_checking",
        default=opts.host_key_checking,
    )
    checking = to_bool(checking) if not isinstance(checking, bool) else checking

    if kind == "local":
        from edgeauto.transport.local import LocalTransport

        return LocalTransport(name)
    if kind == "docker":
        from edgeauto.transport.docker import DockerTransport

        return DockerTransport(
            name,
            hostname,
            user=_first(host_vars, "ansible_user", "ansible_docker_user"),
            extra_args=split_args(host_vars.get("ansible_docker_extra_args")),
            docker=opts.docker_executable,
        )
    password = _first(host_vars, "ansible_password", "ansible_ssh_pass", default=opts.password)
    fallback = kind in ("ssh", "openssh", "smart") and password
    if fallback:
        # The ssh binary would need a prompt (BatchMode) or sshpass; paramiko takes a password.
        log.warning(
            "host %s: a connection password is set (ansible_password/-k): using the paramiko "
            "transport for it, since the OpenSSH client cannot take a password without a prompt",
            name,
        )
    if kind in ("paramiko", "paramiko_ssh") or fallback:
        from dataclasses import replace

        from edgeauto.transport.openssh import option_keys
        from edgeauto.transport.paramiko_ssh import ParamikoTransport

        # Inventories often pin host keys through ssh args; paramiko honours the ones it can.
        ssh_opts = option_keys(
            [
                *split_args(host_vars.get("ansible_ssh_common_args")),
                *split_args(host_vars.get("ansible_ssh_extra_args")),
                *opts.ssh_common_args,
                *opts.ssh_extra_args,
            ]
        )
        if ssh_opts.get("userknownhostsfile"):
            opts = replace(opts, known_hosts_file=ssh_opts["userknownhostsfile"].split()[0])
        strict = ssh_opts.get("stricthostkeychecking", "").lower()
        if strict in ("no", "off", "accept-new"):
            checking = False
        key = key or ssh_opts.get("identityfile")
        return ParamikoTransport(
            name,
            hostname=hostname,
            port=port,
            user=user,
            private_key_file=key,
            password=password,
            host_key_checking=checking,
            options=opts,
        )
    from edgeauto.transport.openssh import OpenSSHTransport

    common = [
        *split_args(host_vars.get("ansible_ssh_common_args")),
        *opts.ssh_common_args,
    ]
    extra = [*split_args(host_vars.get("ansible_ssh_extra_args")), *opts.ssh_extra_args]
    return OpenSSHTransport(
        name,
        hostname=hostname,
        port=port,
        user=user,
        private_key_file=key,
        common_args=common,
        extra_args=extra,
        host_key_checking=checking,
        options=opts,
    )


def become_from_vars(host_vars: dict, *, options=None, method=None, user=None) -> BecomeSpec:
    """BecomeSpec from ``ansible_become_*`` variables (the password never leaves memory)."""
    opts = TransportOptions.coerce(options)
    return BecomeSpec(
        method=str(method or _first(host_vars, "ansible_become_method", default="sudo")),
        user=str(user or _first(host_vars, "ansible_become_user", default="root")),
        password=_first(
            host_vars,
            "ansible_become_password",
            "ansible_become_pass",
            "ansible_sudo_pass",
            default=opts.become_password,
        ),
        flags=str(_first(host_vars, "ansible_become_flags", default="")),
    )

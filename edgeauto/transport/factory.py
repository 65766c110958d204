"""Choose and build a transport from a host's resolved variables.

``make_transport(host_vars, options=...)`` is the one entry point the engine uses: it finds the
class whose ``names`` hold ``ansible_connection`` (:mod:`edgeauto.transport.registry`) and lets
it read its own variables. Host variables follow Ansible's names and win over the
command-line options (as in Ansible, an inventory's ``ansible_user`` beats ``-u``).
"""

from __future__ import annotations

from edgeauto.errors import EdgeautoError, did_you_mean
from edgeauto.transport.base import BecomeSpec, Transport, first
from edgeauto.transport.options import TransportOptions
from edgeauto.transport.registry import connection_names, transport_for

DEFAULT_CONNECTION = "ssh"

# BecomeSpec field -> the host variables it is read from, first set one wins.
BECOME_VARS = {
    "method": ("ansible_become_method",),
    "user": ("ansible_become_user",),
    "password": ("ansible_become_password", "ansible_become_pass", "ansible_sudo_pass"),
    "flags": ("ansible_become_flags",),
}


def make_transport(host_vars: dict, *, options=None) -> Transport:
    """Build the transport for one host.

    ``host_vars`` are the host's variables (``inventory_hostname``, ``ansible_connection``
    and whatever the chosen class declares in ``host_vars``); ``options`` is a
    :class:`TransportOptions`, a dict of its fields, an argparse namespace or None.
    """
    opts = TransportOptions.coerce(options)
    name = str(first(host_vars, "inventory_hostname", "ansible_host", default="localhost"))
    kind = str(first(host_vars, "ansible_connection", default=DEFAULT_CONNECTION))
    cls = transport_for(kind)
    if cls is None:
        names = connection_names()
        raise EdgeautoError(
            f"host {name}: unknown ansible_connection {kind!r}: expected one of {', '.join(names)}",
            hint=did_you_mean(kind, names),
        )
    return cls.from_host_vars(name, host_vars, opts)


def become_from_vars(host_vars: dict, *, options=None, method=None, user=None) -> BecomeSpec:
    """BecomeSpec from ``ansible_become_*`` variables (the password never leaves memory)."""
    opts = TransportOptions.coerce(options)
    return BecomeSpec(
        method=str(method or first(host_vars, *BECOME_VARS["method"], default="sudo")),
        user=str(user or first(host_vars, *BECOME_VARS["user"], default="root")),
        password=first(host_vars, *BECOME_VARS["password"], default=opts.become_password),
        flags=str(first(host_vars, *BECOME_VARS["flags"], default="")),
    )

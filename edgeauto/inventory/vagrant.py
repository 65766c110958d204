"""Vagrant machines as inventory hosts (``-i vagrant:``, ``-i vagrant:DIR``, ``plugin: vagrant``).

Three separate steps, so each can be tested on its own and the slow one is optional:

1. :func:`run_ssh_config` runs ``vagrant ssh-config`` in the Vagrant directory;
2. :func:`parse_ssh_config` turns that text (``Host`` blocks of ssh_config lines) into one
   record per machine;
3. :func:`populate_from_records` adds a host per machine, with connection variables
   (address, port, user, keys, ssh options) from the record and groups/vars from
   ``fleet.yml`` — the same file the ``Vagrantfile`` reads, so the lab and the inventory
   never disagree.

A ``plugin: vagrant`` file may set ``vagrant_dir`` (relative to the file), ``fleet``
(relative to vagrant_dir, default ``fleet.yml``) and ``ssh_config_file`` (a saved
``vagrant ssh-config`` output, used instead of running vagrant).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.errors import InventoryError, Position, describe
from edgeauto.inventory.sources import register_source

# ssh options passed through as -o KEY=VALUE (identity and address handled separately)
_PASSTHROUGH = (
    "UserKnownHostsFile",
    "IdentitiesOnly",
    "PubkeyAcceptedKeyTypes",
    "PubkeyAcceptedAlgorithms",
    "HostKeyAlgorithms",
    "ProxyCommand",
    "ForwardAgent",
    "ForwardX11",
)


@dataclass
class SshHost:
    """One ``Host`` block of ``vagrant ssh-config`` output (keys as written, values unquoted)."""

    name: str
    options: dict[str, str] = field(default_factory=dict)
    identity_files: list[str] = field(default_factory=list)
    line: int = 0
    origin: str = "<vagrant ssh-config>"
    lines: dict[str, int] = field(default_factory=dict)  # option key -> line it was on

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.options.items():
            if k.lower() == key.lower():
                return v
        return default


def _split_option(line: str) -> tuple[str, str]:
    """``Key value``, ``Key=value`` or ``Key "quoted value"`` -> (Key, value)."""
    stripped = line.strip()
    key_end = len(stripped)
    for i, ch in enumerate(stripped):
        if ch in " \t=":
            key_end = i
            break
    key = stripped[:key_end]
    rest = stripped[key_end:].strip()
    if rest.startswith("="):
        rest = rest[1:].strip()
    if len(rest) >= 2 and rest[0] == rest[-1] == '"':
        rest = rest[1:-1]
    return key, rest


def parse_ssh_config(text: str, filename: str = "<vagrant ssh-config>") -> list[SshHost]:
    """Parse ``vagrant ssh-config`` output into one :class:`SshHost` per machine, in order."""
    hosts: list[SshHost] = []
    current: SshHost | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, value = _split_option(line)
        if key.lower() == "host":
            if not value:
                raise InventoryError("'Host' line without a name", Position(filename, lineno))
            current = SshHost(value.split()[0], line=lineno, origin=filename)
            hosts.append(current)
            continue
        if current is None:
            raise InventoryError(
                f"ssh option '{key}' before any 'Host' line", Position(filename, lineno)
            )
        if key.lower() == "identityfile":
            current.identity_files.append(value)
        else:
            current.options[key] = value
            current.lines[key.lower()] = lineno
    return hosts


@dataclass
class FleetSsh:
    """How edgeauto reaches the guests when ``vagrant ssh-config`` alone is not enough.

    vagrant-libvirt's guests live in a private network namespace (``invoke vagrant.up``), and
    Vagrant itself never checks host keys (``StrictHostKeyChecking no``). ``fleet.yml``'s
    ``ssh:`` section names a ``proxy_command`` that enters the namespace and a ``known_hosts``
    file (relative to the Vagrant directory) with the guests' keys; with it, hosts get strict
    host key checking against that file instead of Vagrant's /dev/null.
    """

    proxy_command: str | None = None
    known_hosts: Path | None = None


def load_fleet_ssh(path: Path) -> FleetSsh:
    """The ``ssh:`` section of ``fleet.yml`` (empty when absent)."""
    from edgeauto.yamlsrc import load_yaml

    data = load_yaml(path)
    section = data.get("ssh") if isinstance(data, dict) else None
    if section is None:
        return FleetSsh()
    pos = data.pos_of("ssh") if hasattr(data, "pos_of") else Position(str(path))
    if not isinstance(section, dict) or set(section) - {"proxy_command", "known_hosts"}:
        raise InventoryError(
            "fleet 'ssh' must be a mapping with only proxy_command and known_hosts", pos
        )
    known = section.get("known_hosts")
    return FleetSsh(
        proxy_command=str(section["proxy_command"]) if section.get("proxy_command") else None,
        known_hosts=(path.parent / str(known)).resolve() if known else None,
    )


def connection_vars(host: SshHost, ssh: FleetSsh | None = None) -> dict:
    """Ansible connection variables equivalent to one ssh-config block.

    With a fleet ``ssh:`` section, its ProxyCommand and known_hosts replace the block's, and
    host keys are checked strictly against that file (see :class:`FleetSsh`).
    """
    ssh = ssh or FleetSsh()
    result: dict = {"ansible_host": host.get("HostName", host.name)}
    port = host.get("Port")
    if port:
        try:
            result["ansible_port"] = int(port)
        except ValueError:
            raise InventoryError(
                f"Port of '{host.name}' must be a number, found '{port}'",
                Position(host.origin, host.lines.get("port", host.line)),
            ) from None
    if host.get("User"):
        result["ansible_user"] = host.get("User")
    keys = [os.path.expanduser(k) for k in host.identity_files]
    if keys:
        result["ansible_ssh_private_key_file"] = keys[0]
    replaced = set()
    if ssh.proxy_command:
        replaced.add("proxycommand")
    if ssh.known_hosts:
        replaced.add("userknownhostsfile")
    elif (host.get("StrictHostKeyChecking") or "").lower() == "no":
        result["ansible_host_key_checking"] = False
    args = [f"-o IdentityFile={shlex.quote(k)}" for k in keys[1:]]
    for key, value in host.options.items():
        canonical = next((p for p in _PASSTHROUGH if p.lower() == key.lower()), None)
        if canonical and canonical.lower() not in replaced:
            args.append(f"-o {shlex.quote(f'{canonical}={value}')}")
    if ssh.proxy_command:
        args.append(f"-o {shlex.quote(f'ProxyCommand={ssh.proxy_command}')}")
    if ssh.known_hosts:
        args.append(f"-o {shlex.quote(f'UserKnownHostsFile={ssh.known_hosts}')}")
        args.append("-o StrictHostKeyChecking=yes")
    if args:
        result["ansible_ssh_common_args"] = " ".join(args)
    return result


@dataclass
class FleetMachine:
    name: str
    groups: list[str]
    vars: dict


def load_fleet(path: Path) -> list[FleetMachine]:
    """Machines of ``fleet.yml``: their groups and extra host vars (``lab_ip`` = private IP).

    A top-level ``vars:`` mapping is given to every machine (its own ``vars`` win): what the
    whole lab shares, e.g. the package mirror its namespace needs.
    """
    from edgeauto.yamlsrc import load_yaml

    data = load_yaml(path)
    pos = getattr(data, "pos", None) or Position(str(path))
    if not isinstance(data, dict) or not isinstance(data.get("machines"), list):
        raise InventoryError("fleet file must be a mapping with a 'machines' list", pos)
    shared = data.get("vars") or {}
    if not isinstance(shared, dict):
        raise InventoryError(
            f"fleet 'vars' must be a mapping of variables, found {describe(shared)}",
            data.pos_of("vars") if hasattr(data, "pos_of") else pos,
        )
    machines = []
    for item in data["machines"]:
        ipos = getattr(item, "pos", pos)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InventoryError("each machine needs a 'name' (string)", ipos)
        groups = item.get("groups") or []
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise InventoryError(f"groups of machine '{item['name']}' must be a list", ipos)
        own = item.get("vars") or {}
        if not isinstance(own, dict):
            raise InventoryError(
                f"vars of machine '{item['name']}' must be a mapping, found {describe(own)}",
                ipos,
            )
        host_vars = {**shared, **own}
        if item.get("ip"):
            host_vars.setdefault("lab_ip", str(item["ip"]))
        machines.append(FleetMachine(str(item["name"]), [str(g) for g in groups], host_vars))
    return machines


def populate_from_records(
    inventory,
    records: list[SshHost],
    fleet: list[FleetMachine],
    ssh: FleetSsh | None = None,
    vagrant_dir: Path | None = None,
) -> None:
    """Hosts from ssh-config records; groups and vars from the fleet (fleet order first).

    ``vagrant_dir`` becomes the host var of that name (absolute), so fleet vars can name files
    the lab writes beside its Vagrantfile (e.g. the mirror's key).
    """
    by_name = {m.name: m for m in fleet}
    ordered = sorted(
        records,
        key=lambda r: list(by_name).index(r.name) if r.name in by_name else len(by_name),
    )
    for record in ordered:
        machine = by_name.get(record.name)
        host = inventory.add_host(record.name)
        for group in machine.groups if machine else []:
            inventory.add_host(record.name, group)
        host.vars.update(connection_vars(record, ssh))
        host.vars["vagrant_machine"] = record.name
        if vagrant_dir is not None:
            host.vars["vagrant_dir"] = str(vagrant_dir)
        if machine:
            host.vars.update(machine.vars)


def run_ssh_config(vagrant_dir: Path, timeout: float = 120.0) -> str:
    """Output of ``vagrant ssh-config`` for the running machines of ``vagrant_dir``."""
    exe = shutil.which("vagrant")
    if exe is None:
        raise InventoryError(
            "the vagrant inventory source needs the 'vagrant' command, which is not installed",
            Position(str(vagrant_dir)),
            hint="install Vagrant, or point ssh_config_file at a saved 'vagrant ssh-config'",
        )
    try:
        proc = subprocess.run(
            [exe, "ssh-config"],
            cwd=vagrant_dir,
            # Vagrant's version check calls home; edge labs are often offline and our tests
            # may only talk to loopback and their own namespaces.
            env=dict(os.environ, VAGRANT_CHECKPOINT_DISABLE="1"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise InventoryError(
            f"'vagrant ssh-config' did not finish within {timeout:.0f}s",
            Position(str(vagrant_dir)),
        ) from None
    # Vagrant exits 1 when some machines are not running but still prints the others.
    if proc.returncode != 0 and "Host " not in proc.stdout:
        raise InventoryError(
            f"'vagrant ssh-config' failed ({proc.returncode}): {proc.stderr.strip()[:500]}",
            Position(str(vagrant_dir)),
            hint="are the machines up? (vagrant up)",
        )
    return proc.stdout


@dataclass
class VagrantSource:
    vagrant_dir: Path
    fleet_file: Path | None
    ssh_config_file: Path | None = None


def resolve_source(source: str) -> VagrantSource:
    """Where the Vagrantfile, fleet and (optional) saved ssh-config are, for one ``-i``."""
    if source.startswith("vagrant:") and not os.path.isfile(source):
        directory = source[len("vagrant:") :] or _default_dir()
        vdir = Path(directory).expanduser().resolve()
        if not vdir.is_dir():
            raise InventoryError("vagrant directory not found", Position(str(vdir)))
        fleet = vdir / "fleet.yml"
        return VagrantSource(vdir, fleet if fleet.exists() else None)
    from edgeauto.yamlsrc import load_yaml

    conf = load_yaml(source)
    base = Path(source).resolve().parent
    for key in conf:
        if key not in ("plugin", "vagrant_dir", "fleet", "ssh_config_file"):
            raise InventoryError(
                f"unknown option '{key}' for the vagrant inventory plugin",
                conf.pos_of(key),
                hint="valid: vagrant_dir, fleet, ssh_config_file",
            )
    vdir = (base / str(conf.get("vagrant_dir", "."))).resolve()
    fleet = vdir / str(conf.get("fleet", "fleet.yml"))
    saved = conf.get("ssh_config_file")
    return VagrantSource(
        vdir,
        fleet if fleet.exists() or "fleet" in conf else None,
        (base / str(saved)).resolve() if saved else None,
    )


def _default_dir() -> str:
    for candidate in (os.environ.get("VAGRANT_CWD"), ".", "vagrant"):
        if candidate and Path(candidate, "Vagrantfile").exists():
            return candidate
    raise InventoryError(
        "no Vagrantfile found for 'vagrant:' (looked in $VAGRANT_CWD, ., ./vagrant)",
        hint="use -i vagrant:PATH/TO/DIR",
    )


def populate(inventory, source: str) -> None:
    """The registered entry point: resolve, read ssh-config, add hosts."""
    where = resolve_source(source)
    if where.ssh_config_file:
        if not where.ssh_config_file.exists():
            raise InventoryError("ssh_config_file not found", Position(str(where.ssh_config_file)))
        text = where.ssh_config_file.read_text(encoding="utf-8")
        origin = str(where.ssh_config_file)
    else:
        text = run_ssh_config(where.vagrant_dir)
        origin = f"vagrant ssh-config in {where.vagrant_dir}"
    fleet = load_fleet(where.fleet_file) if where.fleet_file else []
    ssh = load_fleet_ssh(where.fleet_file) if where.fleet_file else FleetSsh()
    records = parse_ssh_config(text, origin)
    populate_from_records(inventory, records, fleet, ssh, where.vagrant_dir)


register_source("vagrant", lambda source: source.startswith("vagrant:"), populate)

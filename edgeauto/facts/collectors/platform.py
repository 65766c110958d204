"""Platform facts: hostname, kernel, machine, fqdn, machine id (Ansible's ``system/platform``),
and ``fips`` (Ansible's ``system/fips``: the kernel's FIPS mode, false when not readable)."""

from __future__ import annotations

from pyinfra.facts.server import Arch, Hostname, Kernel, KernelVersion

from edgeauto.facts.collectors.base import Section, _raw, one

SUBSET = "min"

SECTIONS = (
    Section("hostname", "min", _raw(Hostname().command())),
    Section("system", "min", _raw(Kernel().command())),
    Section("kernel", "min", _raw(KernelVersion().command())),
    Section("kernel_version", "min", "uname -v"),
    Section("machine", "min", _raw(Arch().command())),
    # hostname -f asks DNS, df stats every mount (stale NFS): both can hang, so bound them
    Section("fqdn", "min", "_eaf_t 3 hostname -f 2>/dev/null || uname -n"),
    Section("userspace_bits", "min", "getconf LONG_BIT"),
    Section("machine_id", "min", "cat /etc/machine-id || cat /var/lib/dbus/machine-id"),
    Section("fips", "min", "cat /proc/sys/crypto/fips_enabled 2>/dev/null; true"),
)


def derive(sections, facts) -> None:
    nodename = one(sections, "hostname")
    facts["system"] = one(sections, "system", "Linux")
    facts["kernel"] = one(sections, "kernel")
    facts["kernel_version"] = one(sections, "kernel_version")
    machine = one(sections, "machine")
    facts["machine"] = machine
    facts["architecture"] = {"i686": "i386", "armv7l": "armv7l"}.get(machine, machine)
    facts["nodename"] = nodename
    facts["hostname"] = nodename.split(".")[0]
    fqdn = one(sections, "fqdn", nodename)
    facts["fqdn"] = fqdn
    facts["domain"] = fqdn.split(".", 1)[1] if "." in fqdn else ""
    facts["machine_id"] = one(sections, "machine_id")
    facts["fips"] = one(sections, "fips") == "1"
    bits = one(sections, "userspace_bits")
    if bits:
        facts["userspace_bits"] = bits
        facts["userspace_architecture"] = machine

"""Virtualisation facts: container and hypervisor detection (Ansible's ``virtual``)."""

from __future__ import annotations

from edgeauto.facts.collectors.base import Section

SUBSET = "virtual"

SECTIONS = (
    Section(
        "virt",
        "virtual",
        "printf 'container_file=%s\\n' \"$(cat /run/systemd/container 2>/dev/null)\"; "
        "printf 'container_env=%s\\n' \"$(tr '\\000' '\\n' < /proc/1/environ 2>/dev/null "
        "| sed -n 's/^container=//p' | head -n 1)\"; "
        "[ -e /.dockerenv ] && echo dockerenv=1; [ -e /run/.containerenv ] && echo podmanenv=1; "
        "grep -qE '(docker|kubepods|containerd)' /proc/1/cgroup 2>/dev/null && echo cgroup=docker; "
        "grep -q ':/lxc/' /proc/1/cgroup 2>/dev/null && echo cgroup=lxc; "
        "grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null && echo hypervisor_flag=1; "
        "grep -qE '^flags.* (vmx|svm)' /proc/cpuinfo 2>/dev/null && echo virt_flag=1; "
        "[ -e /dev/kvm ] && echo dev_kvm=1; "
        "[ -d /proc/xen ] && echo xen=1; [ -d /proc/vz ] && echo openvz=1; "
        "printf 'product=%s\\n' \"$(cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null)\"; "
        "printf 'vendor=%s\\n' \"$(cat /sys/devices/virtual/dmi/id/sys_vendor 2>/dev/null)\"; "
        "command -v systemd-detect-virt >/dev/null 2>&1 && "
        "printf 'detect=%s\\n' \"$(systemd-detect-virt 2>/dev/null)\"; true",
    ),
)


def derive(sections, facts) -> None:
    probe = {}
    for line in sections.get("virt") or []:
        key, sep, value = line.partition("=")
        if sep:
            probe.setdefault(key, value.strip())
    guest: list[str] = []
    host: list[str] = []
    container = probe.get("container_file") or probe.get("container_env") or ""
    if container:
        guest += [
            {
                "systemd-nspawn": "systemd-nspawn",
                "docker": "docker",
                "podman": "podman",
                "lxc": "lxc",
                "lxc-libvirt": "lxc",
            }.get(container, container),
            "container",
        ]
    elif probe.get("dockerenv") or probe.get("cgroup") == "docker":
        guest += ["docker", "container"]
    elif probe.get("podmanenv"):
        guest += ["podman", "container"]
    elif probe.get("cgroup") == "lxc":
        guest += ["lxc", "container"]
    product = (probe.get("product", "") + " " + probe.get("vendor", "")).lower()
    detect = probe.get("detect", "")
    vm = None
    if detect and detect not in ("none",) and detect not in guest:
        vm = {
            "oracle": "virtualbox",
            "microsoft": "VirtualPC",
            "vmware": "VMware",
            "qemu": "kvm",
        }.get(detect, detect)
    elif "kvm" in product or "qemu" in product or "openstack" in product:
        vm = "kvm"
    elif "vmware" in product:
        vm = "VMware"
    elif "virtualbox" in product:
        vm = "virtualbox"
    elif "amazon ec2" in product or "google compute" in product:
        vm = "kvm"
    elif probe.get("xen"):
        vm = "xen"
    elif probe.get("hypervisor_flag"):
        vm = "kvm" if probe.get("dev_kvm") is None else "kvm"
    if vm and vm not in guest:
        guest.append(vm)
    if probe.get("dev_kvm"):
        host.append("kvm")
    facts["virtualization_tech_guest"] = guest
    facts["virtualization_tech_host"] = host
    if guest:
        facts["virtualization_type"] = guest[0]
        facts["virtualization_role"] = "guest"
    elif host:
        facts["virtualization_type"] = host[0]
        facts["virtualization_role"] = "host"
    else:
        facts["virtualization_type"] = "NA"
        facts["virtualization_role"] = "NA"

"""Module names as rules compare them: ``ansible.builtin.apt`` and ``apt`` are the same."""

from __future__ import annotations

from edgeauto.playbook.actions import canonical_action

PACKAGE_MODULES = {
    "apt",
    "package",
    "pip",
    "apk",
    "opkg",
    "dnf",
    "yum",
    "zypper",
    "pacman",
    "homebrew",
    "community.general.apk",
    "community.general.opkg",
    "community.general.pacman",
    "community.general.zypper",
    "community.general.homebrew",
    "ansible.builtin.dnf5",
}


def short_name(action: str | None) -> str:
    """The module's plain name: canonical when edgeauto knows it, else its last part."""
    if not action:
        return ""
    known = canonical_action(action)
    if known:
        return known
    return action.rsplit(".", 1)[-1] if action.startswith("ansible.") else action


def is_package_module(action: str | None) -> bool:
    return bool(action) and (action in PACKAGE_MODULES or short_name(action) in PACKAGE_MODULES)

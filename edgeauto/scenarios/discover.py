"""Find scenarios and read the platforms they ask for (molecule.yml or scenario.yml).

Why both layouts: users bring roles with ``molecule/default/`` already written, and molecule's
files are read as they are; our ``tests/scenarios/<name>/scenario.yml`` says the same with
lab words (``debian``, ``busybox``, ``arm64``, ``privileged``, ``libvirt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from edgeauto.errors import EdgeautoError

SHORTHANDS = {
    "debian": {},
    "busybox": {"flavor": "busybox"},
    "arm64": {"arch": "arm64", "systemd": False},
    "armhf": {"arch": "armhf", "systemd": False},
    "python": {"with_python": True},
    "light": {"systemd": False},
    "privileged": {"capabilities": ("docker", "ovs")},
    "docker": {"capabilities": ("docker",)},
    "ovs": {"capabilities": ("ovs",)},
    "libvirt": {"capabilities": ("libvirt",)},
}
PLATFORM_KEYS = {"name", "flavor", "arch", "systemd", "with_python", "capabilities", "groups"}


@dataclass
class Platform:
    """One throwaway lab host; ``name`` is its inventory hostname (molecule's instance)."""

    name: str
    flavor: str = "debian"
    arch: str | None = None
    systemd: bool | None = None
    with_python: bool = False
    capabilities: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def lab_kwargs(self) -> dict:
        kwargs = {"flavor": self.flavor, "arch": self.arch, "with_python": self.with_python}
        if self.systemd is not None:
            kwargs["systemd"] = self.systemd
        if self.capabilities:
            kwargs["capabilities"] = tuple(self.capabilities)
        return kwargs


@dataclass
class Scenario:
    name: str  # "<role>/<scenario>"
    directory: Path
    kind: str  # "molecule" | "edgeauto"
    platforms: list[Platform]
    role_dir: Path | None = None
    converge: Path = field(init=False)
    verify: Path | None = field(init=False)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.converge = self.directory / "converge.yml"
        verify = self.directory / "verify.yml"
        self.verify = verify if verify.is_file() else None


def find_scenarios(paths: list[str]) -> list[Scenario]:
    """Scenarios under each path: a scenario dir, a role, or a directory of roles."""
    if not paths:
        paths = ["roles"] if Path("roles").is_dir() else ["."]
    found: list[Scenario] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise EdgeautoError(f"edgeauto test: {raw}: no such file or directory")
        found += _under(path.resolve())
    if not found:
        raise EdgeautoError(
            f"edgeauto test: no scenario under {', '.join(paths)}: expected "
            "molecule/<name>/converge.yml or tests/scenarios/<name>/converge.yml in a role"
        )
    return found


def _under(path: Path) -> list[Scenario]:
    if (path / "converge.yml").is_file():
        role = _role_of(path)
        return [_scenario(path, role)]
    if _is_role(path):
        dirs = sorted((path / "molecule").glob("*/converge.yml"))
        dirs += sorted((path / "tests" / "scenarios").glob("*/converge.yml"))
        return [_scenario(d.parent, path) for d in dirs]
    return [s for child in sorted(path.iterdir()) if child.is_dir() for s in _under(child)]


def _is_role(path: Path) -> bool:
    return any((path / sub).is_dir() for sub in ("tasks", "meta", "molecule", "handlers"))


def _role_of(scenario_dir: Path) -> Path | None:
    for parent in scenario_dir.parents:
        if _is_role(parent) and parent.name not in ("molecule", "scenarios", "tests"):
            return parent
    return None


def _scenario(directory: Path, role: Path | None) -> Scenario:
    prefix = role.name if role else directory.parent.name
    molecule = directory / "molecule.yml"
    ours = directory / "scenario.yml"
    if ours.is_file():
        platforms, warnings = _our_platforms(ours)
        kind = "edgeauto"
    elif molecule.is_file():
        platforms, warnings = _molecule_platforms(molecule)
        kind = "molecule"
    else:
        platforms, warnings, kind = [Platform("instance")], [], "edgeauto"
    return Scenario(
        f"{prefix}/{directory.name}", directory, kind, platforms, role, warnings=warnings
    )


def _load(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise EdgeautoError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise EdgeautoError(f"{path}: expected a mapping, found {type(data).__name__}")
    return data


def _our_platforms(path: Path) -> tuple[list[Platform], list[str]]:
    entries = _load(path).get("platforms") or ["debian"]
    if not isinstance(entries, list):
        raise EdgeautoError(f"{path}: 'platforms' must be a list, found {type(entries).__name__}")
    platforms = []
    for number, entry in enumerate(entries, 1):
        if isinstance(entry, str):
            if entry not in SHORTHANDS:
                raise EdgeautoError(
                    f"{path}: platform {number}: unknown '{entry}'; expected one of "
                    f"{', '.join(SHORTHANDS)} or a mapping"
                )
            platforms.append(Platform(f"{entry}-{number}", **SHORTHANDS[entry]))
            continue
        if not isinstance(entry, dict):
            raise EdgeautoError(f"{path}: platform {number}: expected a name or a mapping")
        unknown = set(entry) - PLATFORM_KEYS
        if unknown:
            raise EdgeautoError(
                f"{path}: platform {number}: unknown key(s) {', '.join(sorted(unknown))}; "
                f"expected {', '.join(sorted(PLATFORM_KEYS))}"
            )
        values = dict(entry)
        values.setdefault("name", f"{values.get('flavor', 'debian')}-{number}")
        values["capabilities"] = tuple(values.get("capabilities") or ())
        values["groups"] = tuple(values.get("groups") or ())
        platforms.append(Platform(**values))
    return platforms, []


def _molecule_platforms(path: Path) -> tuple[list[Platform], list[str]]:
    """molecule.yml's platforms mapped to lab hosts: an ``edgeauto:`` key in a platform wins;
    otherwise the image name decides (busybox/alpine/openwrt → busybox, arm64/aarch64 →
    arm64), ``privileged: true`` → a docker+OVS host; anything else runs on Debian, said."""
    entries = _load(path).get("platforms") or [{"name": "instance"}]
    platforms, warnings = [], []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "name" not in entry:
            raise EdgeautoError(f"{path}: platform {number}: expected a mapping with a name")
        own = entry.get("edgeauto") or {}
        image = str(entry.get("image", "")).lower()
        values: dict = {"name": str(entry["name"]), "groups": tuple(entry.get("groups") or ())}
        if own:
            values.update({k: v for k, v in own.items() if k in PLATFORM_KEYS - {"name"}})
        elif any(word in image for word in ("busybox", "alpine", "openwrt")):
            values["flavor"] = "busybox"
        elif any(word in image for word in ("arm64", "aarch64")):
            values.update(arch="arm64", systemd=False)
        elif image and not any(word in image for word in ("debian", "bookworm")):
            warnings.append(f"{path}: platform {entry['name']}: image '{image}' runs on Debian 12")
        if entry.get("privileged") and not own:
            values["capabilities"] = ("docker", "ovs")
        values["capabilities"] = tuple(values.get("capabilities") or ())
        platforms.append(Platform(**values))
    return platforms, warnings

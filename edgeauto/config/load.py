"""Finding and reading the configuration the way ansible-core does, plus edgeauto.cfg.

Order (low → high): built-in defaults < the first ``ansible.cfg`` found (``$ANSIBLE_CONFIG``,
``./ansible.cfg`` unless the working directory is world-writable, ``~/.ansible.cfg``,
``/etc/ansible/ansible.cfg``) < the first ``edgeauto.cfg`` found (``$EDGEAUTO_CONFIG``,
``./edgeauto.cfg``, ``~/.edgeauto.cfg``) < environment variables < the command line (applied
by :mod:`.apply`). Relative paths in a file are relative to that file's directory, as in
ansible-core. Keys we do not support are collected as one warning, never silently dropped.
"""

from __future__ import annotations

import configparser
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.config.settings import (
    BY_KEY,
    BY_NAME,
    ENV_READ_ELSEWHERE,
    KNOWN_ENV,
    SETTINGS,
    Setting,
)
from edgeauto.errors import EdgeautoError, Position

TRUE = {"1", "true", "yes", "on", "y", "t"}
FALSE = {"0", "false", "no", "off", "n", "f", ""}


class ConfigError(EdgeautoError):
    """A configuration value that cannot be read (file:line, what was expected, what was found)."""


@dataclass
class Config:
    values: dict[str, Any]
    origins: dict[str, str]  # name -> "default" | "env: NAME" | "/path/ansible.cfg"
    ansible_cfg: Path | None = None
    edgeauto_cfg: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> Any:
        return self.values[name]

    def is_set(self, name: str) -> bool:
        """Whether a file or the environment gave this setting (not the built-in default)."""
        return self.origins.get(name, "default") != "default"

    def changed(self) -> list[Setting]:
        return [s for s in SETTINGS if self.is_set(s.name)]


def defaults() -> Config:
    """Built-in defaults only: what library use and tests get unless the CLI loads more."""
    return Config(
        values={s.name: _default(s) for s in SETTINGS},
        origins={s.name: "default" for s in SETTINGS},
    )


def load_config(environ=None, cwd: str | None = None) -> Config:
    env = os.environ if environ is None else environ
    cwd = cwd or os.getcwd()
    cfg = defaults()
    ansible_cfg = _first(_ansible_candidates(env, cwd, cfg.warnings))
    edgeauto_cfg = _first(_edgeauto_candidates(env, cwd))
    for path in (ansible_cfg, edgeauto_cfg):
        if path is not None:
            _read_file(cfg, path)
    cfg.ansible_cfg, cfg.edgeauto_cfg = ansible_cfg, edgeauto_cfg
    _read_env(cfg, env)
    return cfg


def _default(setting: Setting):
    value = setting.default
    if setting.type in ("pathlist", "pathspec"):
        return [os.path.expanduser(p) for p in value]
    if setting.type == "path" and value:
        return os.path.expanduser(value)
    return list(value) if isinstance(value, list) else value


def _ansible_candidates(env, cwd: str, warnings: list[str]) -> list[Path]:
    out: list[Path] = []
    if "ANSIBLE_CONFIG" in env:
        path = Path(env["ANSIBLE_CONFIG"]).expanduser()
        out.append(path / "ansible.cfg" if path.is_dir() else path)
    here = Path(cwd) / "ansible.cfg"
    try:
        world_writable = bool(os.stat(cwd).st_mode & stat.S_IWOTH)
    except OSError:
        world_writable = True
    if not world_writable:
        out.append(here)
    elif here.exists():
        warnings.append(
            f"edgeauto is being run in a world writable directory ({cwd}), ignoring its "
            "ansible.cfg (anyone could have written it)"
        )
    return [*out, Path("~/.ansible.cfg").expanduser(), Path("/etc/ansible/ansible.cfg")]


def _edgeauto_candidates(env, cwd: str) -> list[Path]:
    out = [Path(env["EDGEAUTO_CONFIG"]).expanduser()] if "EDGEAUTO_CONFIG" in env else []
    return [*out, Path(cwd) / "edgeauto.cfg", Path("~/.edgeauto.cfg").expanduser()]


def _first(paths: list[Path]) -> Path | None:
    for path in paths:
        if path.is_file() and os.access(path, os.R_OK):
            return path
    return None


def _read_file(cfg: Config, path: Path) -> None:
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(
            f"cannot read this configuration file: {exc.message.splitlines()[0]}",
            Position(str(path), line or 0),
            "ansible.cfg is INI: [section] headers, then key = value lines",
        ) from None
    unsupported: list[str] = []
    for section in parser.sections():
        for key, raw in parser.items(section, raw=True):
            setting = BY_KEY.get((section, key))
            if setting is None:
                unsupported.append(f"[{section}] {key}")
                continue
            pos = Position(str(path), _line_of(text, key))
            cfg.values[setting.name] = coerce(setting, raw, path.parent, pos)
            cfg.origins[setting.name] = str(path)
    if unsupported:
        cfg.warnings.append(
            f"{path}: not supported by edgeauto, ignored: {', '.join(unsupported)} "
            "(see `edgeauto config list`)"
        )


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 0


def _read_env(cfg: Config, env) -> None:
    for setting in SETTINGS:
        for name in setting.env:
            if name in env:
                pos = Position(f"${name}")
                cfg.values[setting.name] = coerce(setting, env[name], Path.cwd(), pos)
                cfg.origins[setting.name] = f"env: {name}"
                break
    unknown = sorted(
        n
        for n in env
        if n.startswith("ANSIBLE_") and n not in KNOWN_ENV and n not in ENV_READ_ELSEWHERE
    )
    if unknown:
        cfg.warnings.append(
            f"environment variables not supported by edgeauto, ignored: {', '.join(unknown)}"
        )


def coerce(setting: Setting, raw: str, basedir: Path, pos: Position) -> Any:
    """``raw`` as the setting's type, as ansible-core's ``ensure_type`` reads it."""
    text = raw.strip()
    kind = setting.type
    if kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise _bad(setting, pos, "a boolean (yes/no, true/false, 1/0)", raw)
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise _bad(setting, pos, "an integer" if kind == "int" else "a number", raw) from None
    if kind == "list":
        return [p.strip() for p in text.split(",") if p.strip()]
    if kind in ("pathlist", "pathspec"):
        parts = text.split("," if kind == "pathlist" else os.pathsep)
        return [_path(p.strip(), basedir) for p in parts if p.strip()]
    if kind == "path":
        return _path(text, basedir) if text else None
    if setting.choices and text not in setting.choices:
        raise _bad(setting, pos, "one of " + ", ".join(setting.choices), raw)
    return text


def _path(text: str, basedir: Path) -> str:
    path = Path(os.path.expandvars(text)).expanduser()
    return str(path if path.is_absolute() or "," in text else basedir / path)


def _bad(setting: Setting, pos: Position, expected: str, found: str) -> ConfigError:
    return ConfigError(f"{setting.name}: expected {expected}, found {found!r}", pos)


_ACTIVE: Config | None = None


def active() -> Config:
    """The configuration of this process: built-in defaults until the CLI loads the files."""
    global _ACTIVE
    if _ACTIVE is None:
        _ACTIVE = defaults()
    return _ACTIVE


def set_active(cfg: Config | None) -> None:
    global _ACTIVE
    _ACTIVE = cfg


__all__ = ["BY_NAME", "Config", "ConfigError", "active", "defaults", "load_config", "set_active"]

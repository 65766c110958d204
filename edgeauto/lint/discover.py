"""Find the YAML files to lint and read them into plays, tasks and variable definitions,
keeping every position. Raw mappings are used (not the loaded model) because rules are about
how things are written: a deprecated key, a missing name, a comment giving a reason."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from edgeauto.errors import EdgeautoError, Position
from edgeauto.lint.model import LintFile, LintPlay, LintTask, VarDef
from edgeauto.playbook import keywords
from edgeauto.yamlsrc import load_yaml, position_of

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "templates", "files"}
VARS_DIRS = {"vars", "defaults", "group_vars", "host_vars"}
TASK_DIRS = {"tasks", "handlers"}
SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")
NOT_ACTIONS = (
    keywords.TASK | keywords.HANDLER | keywords.BLOCK | set(keywords.UNSUPPORTED) | keywords.IGNORED
) | {"args"}


def yaml_files(paths: list[str]) -> Iterator[Path]:
    """Every *.yml/*.yaml file under the given files and directories, sorted, once."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise EdgeautoError(f"lint: {given}: no such file or directory")
        found = [path] if path.is_file() else _walk(path)
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file


def _walk(root: Path) -> list[Path]:
    out = []
    for base, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        out += [Path(base, f) for f in sorted(files) if f.endswith((".yml", ".yaml"))]
    return out


def kind_of(path: Path, data) -> str | None:
    """playbook, tasks or vars, from where the file lives and what it holds; None = skip
    (meta/, inventories, molecule configs and other YAML lint has no rules for)."""
    parts = set(path.parts[:-1])
    if parts & VARS_DIRS:
        return "vars" if isinstance(data, dict) else None
    if "meta" in parts or not isinstance(data, list) or not data:
        return None
    if parts & TASK_DIRS:
        return "tasks"
    if all(isinstance(p, dict) and ({"hosts", "import_playbook"} & set(p)) for p in data):
        return "playbook"
    if all(isinstance(t, dict) for t in data) and any(_action_of(t) for t in data):
        return "tasks"
    return None


def read_file(path: Path) -> LintFile | None:
    data = load_yaml(path)
    kind = kind_of(path, data)
    if kind is None:
        return None
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    lint_file = LintFile(str(path), kind, lines)
    if kind == "vars":
        lint_file.variables = list(_vars_of(data, Position(str(path), 1, 1)))
    elif kind == "tasks":
        lint_file.tasks = list(_tasks(data, None, path.parent.name == "handlers", str(path)))
    else:
        for raw in data:
            if "import_playbook" in raw:
                continue
            play = LintPlay(raw, position_of(raw) or Position(str(path)))
            for section in SECTIONS:
                play.tasks += _tasks(raw.get(section) or [], play, section == "handlers", str(path))
            lint_file.plays.append(play)
            lint_file.tasks += play.tasks
            lint_file.variables += _vars_of(raw.get("vars"), play.pos)
    for task in lint_file.tasks:
        lint_file.variables += _vars_of(task.raw.get("vars"), task.pos)
    return lint_file


def _tasks(items, play, handler: bool, file: str) -> list[LintTask]:
    out: list[LintTask] = []
    if not isinstance(items, list):
        return out
    for raw in items:
        if not isinstance(raw, dict):
            continue
        pos = position_of(raw) or Position(file)
        action = _action_of(raw)
        out.append(LintTask(raw, pos, action, _args_of(raw, action), handler, play))
        for section in ("block", "rescue", "always"):
            out += _tasks(raw.get(section) or [], play, handler, file)
    return out


def _action_of(raw: dict) -> str | None:
    if "block" in raw:
        return None
    for key in raw:
        if key in ("action", "local_action"):
            value = raw[key]
            return (
                value.get("module") if isinstance(value, dict) else str(value).split()[0]
            ) or key
        if key not in NOT_ACTIONS and not str(key).startswith("with_"):
            return str(key)
    return None


def _args_of(raw: dict, action: str | None) -> dict:
    from edgeauto.playbook.splitter import parse_kv

    if action is None:
        return {}
    value = raw.get(action)
    if value is None and ("action" in raw or "local_action" in raw):
        value = raw.get("action", raw.get("local_action"))
        if isinstance(value, str):
            value = value.split(None, 1)[1] if len(value.split(None, 1)) > 1 else ""
    args: dict = {}
    if isinstance(value, dict):
        args.update(value)
    elif isinstance(value, str):
        try:
            args.update(parse_kv(value, free_form=action.rsplit(".", 1)[-1] in keywords.FREE_FORM))
        except EdgeautoError:
            args["_raw_params"] = value
    if isinstance(raw.get("args"), dict):
        args.update(raw["args"])
    return args


def _vars_of(mapping, default: Position) -> Iterator[VarDef]:
    if not isinstance(mapping, dict):
        return
    pos_of = getattr(mapping, "pos_of", None)
    for name, value in mapping.items():
        yield VarDef(str(name), value, (pos_of(name) if pos_of else None) or default)

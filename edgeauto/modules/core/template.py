"""``template``: render a Jinja2 template on the controller, then install it like ``copy``.

The Jinja2 settings (``trim_blocks``, ``lstrip_blocks``, ``newline_sequence``, the
``*_start_string``/``*_end_string`` delimiters) come from the arguments, and a ``#jinja2:``
first line in the template file overrides them (see :mod:`edgeauto.templating.jinja_header`).

Rendering happens per host with that host's variables (``ctx.templar``), so the target still
needs nothing but a shell. Unchanged results are not sent (see :mod:`.copy`).
"""

from __future__ import annotations

import os
import stat
import time

from edgeauto.config import active
from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import CompileContext
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, INSTALL_OPTIONS
from edgeauto.modules.core.copy import EA_COPY, CopyModule, final_dest, read_source
from edgeauto.modules.spec import ModuleSpec, Option

_DEFAULT_SYNTAX = {
    "block_start_string": "{%",
    "block_end_string": "%}",
    "variable_start_string": "{{",
    "variable_end_string": "}}",
    "comment_start_string": None,
    "comment_end_string": None,
    "trim_blocks": True,
    "lstrip_blocks": False,
}

SPEC = ModuleSpec(
    name="template",
    short_description="Render a Jinja2 template to a file on the target",
    options={
        "src": Option(
            type="path", required=True, description="Template (role templates/, then playbook dir)."
        ),
        "dest": Option(type="path", required=True, description="Target path."),
        **INSTALL_OPTIONS,
        "newline_sequence": Option(
            default="\\n",
            choices=("\\n", "\\r", "\\r\\n"),
            description="Line endings of the result.",
        ),
        "output_encoding": Option(default="utf-8", description="Encoding of the result."),
        "trim_blocks": Option(
            type="bool", default=True, description="Drop the first newline after a block tag."
        ),
        "lstrip_blocks": Option(
            type="bool", default=False, description="Strip spaces before a block tag."
        ),
        "block_start_string": Option(default="{%", description="Jinja2 delimiter override."),
        "block_end_string": Option(default="%}", description="Jinja2 delimiter override."),
        "variable_start_string": Option(default="{{", description="Jinja2 delimiter override."),
        "variable_end_string": Option(default="}}", description="Jinja2 delimiter override."),
        "comment_start_string": Option(description="Jinja2 delimiter override."),
        "comment_end_string": Option(description="Jinja2 delimiter override."),
        **COMMON_FILE_OPTIONS,
    },
    supports_diff=True,
    returns={
        "dest": "Destination path.",
        "checksum": "sha1 of the rendered content.",
        "src": "Template path.",
    },
    examples="- template:\n    src: nginx.conf.j2\n    dest: /etc/nginx/nginx.conf\n    validate: nginx -t -c %s\n",
)

_NEWLINES = {"\\n": "\n", "\\r": "\r", "\\r\\n": "\r\n"}


class TemplateModule(CopyModule):
    spec = SPEC
    src_kind = "templates"
    shell_functions = (EA_COPY,)  # rendered content is installed by copy's function
    no_fixtures_because = (
        "rendering needs a Templar and template files; tests/shell/test_template_module.py "
        "runs it end to end (the ea_copy call it makes is copy's, covered by copy's fixtures)"
    )

    def checksum_paths(self, args: dict) -> list[str]:
        return [final_dest(str(args["dest"]), os.path.basename(str(args["src"])))]

    def source(self, args: dict, ctx: CompileContext):
        options = {
            key: args[key]
            for key, default in _DEFAULT_SYNTAX.items()
            if args.get(key, default) != default
        }
        newline = _NEWLINES[args.get("newline_sequence") or "\\n"]
        if newline != "\n":
            options["newline_sequence"] = newline
        if ctx.templar is None:
            raise ModuleArgumentError("template needs a templar (internal: none given)", ctx.pos)
        path = ctx.locate("templates", str(args["src"]))
        text = read_source(path, {}, ctx).decode("utf-8")
        extra = {
            "ansible_managed": active().get("ansible_managed"),  # ansible.cfg, else ansible's
            "template_host": os.uname().nodename,
            "template_path": str(args["src"]),
            "template_fullpath": str(path.resolve()),
            "template_destpath": str(args["dest"]),
            "template_basename": path.name,
            "template_uid": str(path.stat().st_uid),
            "template_run_date": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        render = getattr(ctx.templar, "render_template_text", None)
        if render is not None:
            rendered = render(text, extra, ctx.pos, source=shown_path(path), **options)
        elif options:
            raise ModuleArgumentError(
                f"template options {', '.join(sorted(options))} need edgeauto's Templar", ctx.pos
            )
        else:
            rendered = ctx.templar.render(text)
        data = str(rendered).encode(
            args.get("output_encoding") or "utf-8", errors="surrogateescape"
        )
        return data, path.name, str(args["src"]), stat.S_IMODE(path.stat().st_mode)


MODULE = TemplateModule()


def shown_path(path) -> str:
    """A template file as messages show it: relative to the working directory when inside."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel

"""What virt, virt_net and virt_pool share: the libvirt URI option, the desired XML (parsed and
checked on the controller, so a bad document fails with file:line before anything runs), and
the two things the target needs to decide whether a definition must be (re-)defined.

How "differs in substance" is decided (the same way in check mode and in a real run, so check
mode predicts exactly; the shell side is ``remote/libvirt.sh``):

* ``hash`` — sha1 of the desired XML in canonical form (C14N 2.0 with whitespace-only text
  stripped): attribute order, quoting and indentation of a template do not count.
* After every define the target records ``hash`` and the sha1 of libvirt's own normalised
  ``dumpxml --inactive`` in a small state file (one per URI, kind and name, under
  /var/lib/edgeauto/libvirt). Next run: same desired hash and the same dumpxml → unchanged;
  a new desired XML, or a definition changed behind our back (dumpxml differs) → re-define.
* A definition edgeauto has not recorded (made by hand or another tool) is compared field by
  field: every attribute and text value the user's XML gives (``leaves``) must be present at
  the same element path in libvirt's dumpxml; if so it is adopted unchanged (the state file is
  written), otherwise re-defined. Namespaced elements and ``<metadata>`` are not compared, and
  memory sizes are compared in KiB as libvirt stores them.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._xfer import static_check
from edgeauto.modules.spec import Option

URI_OPTION = Option(default="qemu:///system", description="libvirt connection URI.")
XML_OPTION = Option(
    description=(
        "The XML document (inline, or from a lookup such as "
        "\"{{ lookup('template', 'vm.xml.j2') }}\"); not a file name."
    )
)
AUTOSTART_OPTION = Option(type="bool", description="Start it when libvirtd starts.")

# libvirt stores these sizes in KiB whatever unit the user wrote
_MEMORY_TAGS = {"memory", "currentMemory", "maxMemory"}
_UNITS = {
    "b": 1,
    "bytes": 1,
    "kb": 1000,
    "k": 1024,
    "kib": 1024,
    "mb": 1000**2,
    "m": 1024**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "g": 1024**3,
    "gib": 1024**3,
    "tb": 1000**4,
    "t": 1024**4,
    "tib": 1024**4,
}


class DesiredXML:
    """A user's libvirt XML document, checked: the root element, its ``<name>``, whether it
    carries a ``<uuid>``, its canonical hash and its comparable leaves."""

    def __init__(self, text: str, root_tag: str, pos: Position | None, option: str = "xml"):
        self.text = text
        try:
            self.root = ET.fromstring(text)
        except ET.ParseError as err:
            raise ModuleArgumentError(
                f"argument '{option}': not well-formed XML: {err}", pos
            ) from None
        if self.root.tag != root_tag:
            raise ModuleArgumentError(
                f"argument '{option}': expected a <{root_tag}> document, found <{self.root.tag}>",
                pos,
            )
        name = (self.root.findtext("name") or "").strip()
        if not name:
            raise ModuleArgumentError(
                f"argument '{option}': the <{root_tag}> has no <name> (libvirt needs one)", pos
            )
        self.name = name
        self.has_uuid = bool((self.root.findtext("uuid") or "").strip())

    @property
    def hash(self) -> str:
        canonical = ET.canonicalize(self.text, strip_text=True)
        return hashlib.sha1(canonical.encode()).hexdigest()

    def leaves(self) -> str:
        """One line per attribute (``path@attr=value``) and text (``path=value``), the format
        ``ea__lv_flatten`` in remote/libvirt.sh prints for libvirt's dumpxml."""
        out: list[str] = []

        def walk(elem: ET.Element, path: str) -> None:
            if elem.tag.startswith("{") or elem.tag == "metadata":
                return
            attrs = dict(elem.attrib)
            text = (elem.text or "").strip()
            if elem.tag in _MEMORY_TAGS and text:
                text, attrs = _in_kib(text, attrs)
            for key, value in attrs.items():
                if not key.startswith("{") and "\n" not in value:
                    out.append(f"{path}@{key}={value}")
            if text and "\n" not in text:
                out.append(f"{path}={text}")
            for child in elem:
                walk(child, f"{path}/{child.tag}")

        walk(self.root, self.root.tag)
        return "".join(f"{line}\n" for line in dict.fromkeys(out))


def _in_kib(text: str, attrs: dict[str, str]) -> tuple[str, dict[str, str]]:
    factor = _UNITS.get(attrs.get("unit", "KiB").lower())
    if factor is None or not text.isdigit():
        return text, attrs
    return str(int(text) * factor // 1024), {**attrs, "unit": "KiB"}


def state_key(uri: str, kind: str, name: str) -> str:
    """The state file's name on the target: any URI and object name map to a safe file name."""
    return f"{kind}-" + hashlib.sha1(f"{uri}\n{kind}\n{name}".encode()).hexdigest()[:20]


def xml_call_args(desired: DesiredXML | None, uri: str, kind: str, name: str) -> dict:
    """The shell parameters (and payloads) that carry a desired XML (empty ones without);
    the state key whenever the object is named, so undefine can drop its record."""
    if desired is None:
        key = state_key(uri, kind, name) if name else ""
        return {"args": {"xml": "", "leaves": "", "hash": "", "key": key}, "payloads": {}}
    return {
        "args": {
            "xml": payload_ref("xml"),
            "leaves": payload_ref("leaves"),
            "hash": desired.hash,
            "key": state_key(uri, kind, name),
        },
        "payloads": {"xml": desired.text.encode(), "leaves": desired.leaves().encode()},
    }


def tristate(value: bool | None) -> str:
    """An optional bool for sh: '' not given, '1' / '0'."""
    return "" if value is None else ("1" if value else "0")


def require_name(args: dict, command: str | None, pos: Position | None, kind: str) -> str:
    name = str(args.get("name") or "").strip()
    if not name:
        what = f"command {command}" if command else "this task"
        raise ModuleArgumentError(f"{what} needs the {kind}'s name (argument 'name')", pos)
    return name


def lines(value: str | None) -> list[str]:
    return [line for line in (value or "").split("\n") if line]


def table(value: str | None, keys: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Tab-separated rows ``name<TAB>v1<TAB>v2…`` → ``{name: {key1: v1, …}}``."""
    out: dict[str, dict[str, str]] = {}
    for row in lines(value):
        name, *values = row.split("\t")
        out[name] = dict(zip(keys, values, strict=False))
    return out


class LibvirtModule(RemoteModule):
    """virt, virt_net, virt_pool: their cross-argument checks (and the XML's) run at playbook
    validation too when nothing is templated, so a bad task fails before any host runs."""

    converged_in = "tests/integration/modules/test_libvirt_lab.py: needs libvirtd (lab host)"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out


class LibvirtObjectModule(LibvirtModule):
    """virt_net and virt_pool: a named libvirt object with state, autostart and an optional
    XML definition. Subclasses set the spec, the shell function, ``kind`` (net/pool),
    ``root_tag``, ``word`` (for messages), ``host_commands`` and ``table_fields``
    (result key → column names of the shell function's tab-separated rows)."""

    kind = ""
    root_tag = ""
    word = ""
    host_commands: tuple[str, ...] = ()
    table_fields: dict[str, tuple[str, ...]] = {}
    list_field = ""
    #: commands the native module refuses (with the reason)
    refused: dict[str, str] = {}

    def desired(self, args: dict, pos: Position | None) -> DesiredXML | None:
        if not args.get("xml"):
            return None
        return DesiredXML(str(args["xml"]), self.root_tag, pos)

    def check_args(self, args: dict, pos: Position | None) -> None:
        command, state = args.get("command"), args.get("state")
        if command in self.refused:
            raise ModuleArgumentError(f"command {command}: {self.refused[command]}", pos)
        if not (state or command or args.get("autostart") is not None):
            raise ModuleArgumentError("expected state or command parameter to be specified", pos)
        if command == "define" and not args.get("xml"):
            raise ModuleArgumentError("command define requires the xml argument", pos)
        desired = self.desired(args, pos)
        if command in self.host_commands:
            return
        if desired and not str(args.get("name") or "").strip():
            return  # the name comes from the XML
        name = require_name(args, command, pos, self.word)
        if desired and desired.name != name:
            raise ModuleArgumentError(
                f"argument 'name' is {name!r} but the xml defines {desired.name!r}", pos
            )

    def extra_args(self, args: dict, pos: Position | None) -> dict[str, str]:
        return {}

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        command = args.get("command") or ""
        uri = str(args.get("uri") or "qemu:///system")
        desired = self.desired(args, ctx.pos)
        name = str(args.get("name") or "").strip() or (desired.name if desired else "")
        if command in self.host_commands:
            name = ""
        xml = xml_call_args(desired, uri, self.kind, name)
        (fn,) = self.shell_functions
        return fn.call(
            uri=uri,
            name=name,
            command=command,
            state=args.get("state") or "",
            autostart=tristate(args.get("autostart")),
            flags="u" if desired and desired.has_uuid else "-",
            payloads=xml["payloads"],
            **xml["args"],
            **self.extra_args(args, ctx.pos),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if self.list_field in out:
            out[self.list_field] = lines(out[self.list_field])
        for key, columns in self.table_fields.items():
            if key in out:
                out[key] = table(out[key], columns)
        return out

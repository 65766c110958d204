"""The two halves of the libvirt modules' field-by-field comparison agree: the controller's
leaves of a desired XML (edgeauto/modules/edge/_libvirt.py) and the target's awk flattening of
libvirt's dumpxml (ea__lv_flatten_awk in remote/libvirt.sh, run here under dash and busybox
awk) produce the same lines for the same document, and the subset check accepts what libvirt
adds and the machine alias it expands, and names what differs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import edgeauto.remote
from edgeauto.modules.edge._libvirt import DesiredXML
from edgeauto.remote.localrun import busybox_path_dir

LIBVIRT_SH = Path(edgeauto.remote.__file__).parent / "libvirt.sh"

# the way libvirt prints a definition: one element per line, single-quoted attributes
DUMPXML = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>vm&amp;1</name>
  <uuid>0b5f6b54-52a4-4c8b-9c3e-5a0c4f2f0d8e</uuid>
  <metadata>
    <ea:note xmlns:ea='urn:x'>kept out</ea:note>
  </metadata>
  <memory unit='KiB'>262144</memory>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <cmdline>console=ttyS0 quiet &lt;x&gt;</cmdline>
  </os>
  <devices>
    <serial type='file'>
      <source path='/var/log/a b.log'/>
      <target type='isa-serial' port='0'/>
    </serial>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-s'/>
  </qemu:commandline>
</domain>
"""

SHELLS = [s for s in ("dash", "busybox") if shutil.which(s)]


def sh(shell: str, script: str, *args, tmp_path) -> subprocess.CompletedProcess:
    """``script`` with libvirt.sh sourced, under dash (system awk) or busybox sh with only
    BusyBox applets on PATH (busybox awk)."""
    argv = [shell, "-c", f'. "$0"; {script}', str(LIBVIRT_SH), *map(str, args)]
    env = {"PATH": "/usr/bin:/bin"}
    if shell == "busybox":
        argv.insert(1, "sh")
        env["PATH"] = str(busybox_path_dir(tmp_path))
    return subprocess.run(argv, capture_output=True, text=True, env=env)


def flatten(shell: str, text: str, tmp_path) -> list[str]:
    (tmp_path / "dump.xml").write_text(text)
    proc = sh(shell, 'awk "$ea__lv_flatten_awk" "$1"', tmp_path / "dump.xml", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")[:-1]


def subset(shell: str, have: str, want: str, tmp_path) -> tuple[int, str]:
    (tmp_path / "have").write_text(have)
    (tmp_path / "want").write_text(want)
    script = 'awk "$ea__lv_subset_awk" "$1" "$2"'
    proc = sh(shell, script, tmp_path / "have", tmp_path / "want", tmp_path=tmp_path)
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_the_target_flattens_libvirt_xml_like_the_controller(shell, tmp_path):
    assert (
        flatten(shell, DUMPXML, tmp_path)
        == DesiredXML(DUMPXML, "domain", None).leaves().split("\n")[:-1]
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_the_subset_check_accepts_libvirts_additions_and_names_differences(shell, tmp_path):
    have = "".join(f"{line}\n" for line in flatten(shell, DUMPXML, tmp_path))
    given = """<domain type="qemu">
      <name>vm&amp;1</name>
      <memory unit="MiB">256</memory>
      <os><type machine="q35">hvm</type></os>
    </domain>"""
    code, missing = subset(shell, have, DesiredXML(given, "domain", None).leaves(), tmp_path)
    assert (code, missing) == (0, "")
    other = given.replace("256", "512").replace("q35", "pc")
    code, missing = subset(shell, have, DesiredXML(other, "domain", None).leaves(), tmp_path)
    assert code == 1
    assert missing.split("\n")[:-1] == [
        "domain/memory=524288",
        "domain/os/type@machine=pc",
    ]

"""kata_runtime's controller side: arguments, the KVM verdict from facts, the archive left out
of the script when the facts round trip saw its stamp, and the containerd drop-ins."""

import hashlib
import json
import tomllib

import pytest

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext
from edgeauto.modules.edge._kata_config import containerd_dropin, docker_entry
from edgeauto.modules.edge.kata_runtime import STAMP, kvm_from_facts
from edgeauto.modules.registry import get_module

MODULE = get_module("kata_runtime")
FN = MODULE.shell_functions[0]


def compile_(args, **ctx):
    return MODULE.compile(MODULE.validate(args, final=True), CompileContext(**ctx))


def test_reachable_by_its_edgeauto_fqcn():
    assert get_module("edgeauto.edge.kata_runtime") is MODULE


@pytest.mark.parametrize(
    "facts, verdict",
    [
        ({}, ("?", "")),
        ({"edgeauto_hw": {"kvm_usable": True}}, ("1", "")),
        ({"edgeauto_hw": {"kvm_usable": False, "kvm_capable": True}}, ("0", "")),
        (
            {"edgeauto_hw": {"kvm": {"usable": False, "reason": "PVM"}, "kvm_capable": True}},
            ("0", "PVM"),
        ),
        ({"edgeauto_hw": {"kvm_capable": False}}, ("0", "")),
        ({"ansible_facts": {"edgeauto_hw": {"kvm_capable": True}}}, ("1", "")),
        ({"edgeauto_hw": "not a dict"}, ("?", "")),
    ],
)
def test_kvm_verdict_comes_from_the_hw_facts_when_gathered(facts, verdict):
    assert kvm_from_facts(facts) == verdict


def test_require_kvm_false_skips_the_check_and_is_warned(tmp_path):
    archive = tmp_path / "k.tar.gz"
    archive.write_bytes(b"x")
    call = compile_({"version": "3.2.0", "src": str(archive), "require_kvm": False})
    assert FN.named(call.argv)["kvm"] == "skip"
    result = MODULE.finish({"status": "ok", "fields": {}}, {"require_kvm": False}, None)
    assert "labs and stand-ins" in result["warnings"][0]


def test_archive_travels_only_when_the_stamp_differs(tmp_path):
    archive = tmp_path / "kata-static-3.2.0-amd64.tar.xz"
    archive.write_bytes(b"release bytes")
    digest = hashlib.sha256(b"release bytes").hexdigest()
    args = {"version": "3.2.0", "src": str(archive)}
    assert MODULE.checksum_paths(args) == [STAMP]
    call = compile_(args)
    assert call.payloads == {"archive": b"release bytes"}
    stamp = FN.named(call.argv)["stamp_text"]
    assert stamp == f"version=3.2.0\nsha256={digest}\n"
    seen = {STAMP: hashlib.sha1(stamp.encode()).hexdigest()}
    call = compile_(args, remote_checksums=seen)
    assert call.payloads == {} and "archive" not in FN.named(call.argv)
    # another version with the same bytes is another stamp: sent again
    call = compile_({**args, "version": "3.2.1"}, remote_checksums=seen)
    assert call.payloads


def test_src_checksum_is_checked_on_the_controller(tmp_path):
    archive = tmp_path / "k.tar.gz"
    archive.write_bytes(b"abc")
    with pytest.raises(ModuleArgumentError, match="but checksum says"):
        compile_({"version": "1", "src": str(archive), "checksum": "sha256:" + "0" * 64})
    call = compile_(
        {
            "version": "1",
            "src": str(archive),
            "checksum": "sha1:" + "a9993e364706816aba3e25717850c26c9cd0d89d",
        }
    )
    assert FN.named(call.argv)["algo"] == "sha1"


@pytest.mark.parametrize(
    "args, message",
    [
        ({"version": "3.2.0"}, "exactly one of src"),
        ({"version": "3.2.0", "url": "https://m/k", "src": "k"}, "both given"),
        ({"version": "3.2.0", "url": "https://m/k"}, "'checksum' is required with url"),
        ({"version": "3.2.0", "url": "m/k", "checksum": "sha256:00"}, "an http(s)/ftp/file URL"),
        ({"version": "", "url": "https://m/k", "checksum": "sha256:00"}, "a release like"),
        (
            {"version": "3", "url": "https://m/k", "checksum": "sha256:https://m/k.sha256"},
            "the digest itself",
        ),
        ({"version": "3", "url": "https://m/k", "checksum": "sha256:00", "name": "a b"}, "name"),
        (
            {"version": "3", "url": "https://m/k", "checksum": "sha256:00", "link_dir": "bin"},
            "'link_dir': expected an absolute path",
        ),
        (
            {"version": "3", "url": "https://m/k", "checksum": "sha256:00", "runtime_check": "x"},
            "runtime_check",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_tasks_position(args, message):
    pos = Position("site.yml", 7)
    with pytest.raises(ModuleArgumentError) as err:
        MODULE.validate(args, pos, final=True)
    assert message in str(err.value) and "site.yml:7" in str(err.value)


@pytest.mark.parametrize(
    "version, table", [(2, "io.containerd.grpc.v1.cri"), (3, "io.containerd.cri.v1.runtime")]
)
def test_containerd_dropins_are_toml_for_their_schema(version, table):
    doc = tomllib.loads(containerd_dropin(version, "kata", "/opt/kata/c.toml"))
    assert doc["version"] == version
    runtime = doc["plugins"][table]["containerd"]["runtimes"]["kata"]
    assert runtime["runtime_type"] == "io.containerd.kata.v2"
    assert runtime["options"] == {"ConfigPath": "/opt/kata/c.toml"}


def test_docker_entry_is_a_shim_type_unless_a_path_is_given():
    assert docker_entry() == {"runtimeType": "io.containerd.kata.v2"}
    assert docker_entry("/usr/sbin/runc") == {"path": "/usr/sbin/runc"}
    call = compile_({"version": "3", "url": "https://m/k", "checksum": "sha256:00"})
    named = FN.named(call.argv)
    assert json.loads(named["entry"]) == docker_entry() and named["needs_shim"] == "1"

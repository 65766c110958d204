"""The transport registry: classes declare names and host variables, the rest is derived.

The last tests drive a test-only :class:`PipeTransport` subclass (``sh -c`` on the controller)
through ``run_script`` with real processes: the shared body is all a new transport inherits.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import tempfile
import threading

import pytest

import edgeauto.transport
from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.transport.base import ScriptResult, Transport
from edgeauto.transport.docker import DockerTransport
from edgeauto.transport.errors import CommandTimeout
from edgeauto.transport.factory import BECOME_VARS, make_transport
from edgeauto.transport.hostvars import CONNECTION_KEYS, connection_keys
from edgeauto.transport.local import LocalTransport
from edgeauto.transport.openssh import OpenSSHTransport
from edgeauto.transport.paramiko_ssh import ParamikoTransport
from edgeauto.transport.pipe import PipeTransport
from edgeauto.transport.registry import (
    SUPPORT_MODULES,
    all_transports,
    connection_names,
    transport_for,
)


def test_registry_lists_every_transport():
    assert set(all_transports()) == {
        DockerTransport,
        LocalTransport,
        OpenSSHTransport,
        ParamikoTransport,
    }
    assert {cls.name for cls in all_transports()} == {"docker", "local", "ssh", "paramiko"}


def test_every_transport_module_is_discovered_and_support_modules_hold_none():
    package = edgeauto.transport
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        declared = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Transport)
            and obj.__module__ == module.__name__
            and obj.names
        ]
        if info.name in SUPPORT_MODULES:
            assert not declared, f"{info.name} declares a transport but discovery skips it"
        for cls in declared:
            assert cls in all_transports()


def test_names_are_unique_and_the_first_is_the_class_name():
    names = connection_names()
    assert len(names) == len(set(names))
    for cls in all_transports():
        assert cls.name == cls.names[0]
        assert all(transport_for(n) is cls for n in cls.names)


@pytest.mark.parametrize("connection", connection_names())
def test_every_declared_name_builds_its_transport(connection):
    control = tempfile.mkdtemp(prefix="eacm")  # short path: unix socket length limit
    try:
        t = make_transport(
            {"inventory_hostname": "h", "ansible_connection": connection},
            options={"control_dir": control},
        )
    finally:
        shutil.rmtree(control, ignore_errors=True)
    assert type(t) is transport_for(connection) and t.host == "h"


def test_unknown_connection_error_names_every_registered_name():
    with pytest.raises(EdgeautoError) as info:
        make_transport({"inventory_hostname": "h", "ansible_connection": "telnet"})
    text = str(info.value)
    assert "host h: unknown ansible_connection 'telnet'" in text
    for name in connection_names():
        assert name in text
    assert {"paramiko_ssh", "community.docker.docker", "smart"} <= set(connection_names())


def test_connection_keys_are_derived_from_the_declarations():
    for cls in all_transports():
        for names in cls.host_vars.values():
            assert set(names) <= set(CONNECTION_KEYS), cls.__name__
    for names in BECOME_VARS.values():
        assert set(names) <= set(CONNECTION_KEYS)
    assert "ansible_docker_extra_args" in CONNECTION_KEYS
    assert "ansible_connection" in CONNECTION_KEYS and len(CONNECTION_KEYS) == len(
        set(CONNECTION_KEYS)
    )


def test_a_variable_declared_on_a_class_becomes_a_connection_key(monkeypatch):
    assert "ansible_docker_tls_ca" not in connection_keys()
    declared = {**DockerTransport.host_vars, "tls_ca": ("ansible_docker_tls_ca",)}
    monkeypatch.setattr(DockerTransport, "host_vars", declared)
    assert "ansible_docker_tls_ca" in connection_keys()


def test_a_class_reads_only_what_it_declares():
    found = DockerTransport.read_vars(
        {"ansible_host": "", "ansible_ssh_host": "c9", "ansible_port": "22", "ansible_user": "u"}
    )
    assert found == {"container": "c9", "user": "u", "extra_args": None}


# -- a test-only pipe transport: argv and classify are all it gives ----------------------------


class ShTransport(PipeTransport):
    """``sh -c COMMAND`` on the controller; exit 97 with 'link down' on stderr = unreachable."""

    def __init__(self, host: str = "sh-host") -> None:
        super().__init__()
        self.host = host

    def argv(self, command: str) -> list[str]:
        return ["sh", "-c", command]

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        if result.rc == 97 and b"link down" in result.stderr:
            return ConnectionFailed(f"host {self.host}: `{shown}`: link down")
        return None


def test_the_test_transport_is_not_registered():
    assert ShTransport not in all_transports() and ShTransport.names == ()


def test_pipe_subclass_runs_a_script_end_to_end():
    t = ShTransport()
    t.connect(5)
    r = t.run_script(
        b'echo "out $GREETING"; echo err >&2; exit 3\n', timeout=10, env={"GREETING": "hi"}
    )
    assert (r.rc, r.stdout, r.stderr, r.timed_out) == (3, b"out hi\n", b"err\n", False)
    r = t.run_script(b"cat\n", timeout=10)  # the script is sh's stdin: cat reads the rest
    assert r.rc == 0 and t.round_trips == 2
    t.close()


def test_pipe_subclass_classifies_unreachable():
    with pytest.raises(ConnectionFailed, match=r"host sh-host: `sh -c 'sh -s'`: link down"):
        ShTransport().run_script(b"echo link down >&2; exit 97\n", timeout=10)
    r = ShTransport().run_script(b"exit 97\n", timeout=10)  # the script's own 97: a failed task
    assert r.rc == 97


def test_pipe_subclass_times_out_and_keeps_partial_output():
    with pytest.raises(CommandTimeout) as info:
        ShTransport("slow").run_script(b"echo begun; sleep 60 & wait\n", timeout=1)
    assert info.value.result.stdout == b"begun\n" and "host slow" in str(info.value)


def test_pipe_subclass_interrupt_kills_the_run():
    t = ShTransport()
    timer = threading.Timer(0.5, t.interrupt)
    timer.start()
    r = t.run_script(b"echo started; sleep 60; echo never\n", timeout=60)
    timer.join()
    assert r.stdout == b"started\n" and r.rc < 0


def test_pipe_subclass_runs_become_through_the_shared_body():
    from edgeauto.transport.base import BecomeSpec
    from edgeauto.transport.errors import BecomeFailed

    class FakeSudo(ShTransport):  # "sudo" that always wants a password we do not have
        def argv(self, command: str) -> list[str]:
            assert command.endswith("; sudo -n -u root -- sh -s")  # after the PID announcement
            return ["sh", "-c", "echo 'sudo: a password is required' >&2; exit 1"]

    with pytest.raises(BecomeFailed, match="needs a password"):
        FakeSudo().run_script(b"id\n", timeout=10, become=BecomeSpec())

"""What the kata_runtime module writes into containerd's and Docker's configuration.

Kept apart from the module so the ``kata`` role's documentation, the tests and the module
agree on one rendering (and so the docker_engine role can be given the same Docker entry).

containerd's CRI plugin moved between schema versions: containerd 1.x reads ``version = 2``
files with the runtime under ``plugins."io.containerd.grpc.v1.cri".containerd.runtimes``;
containerd 2.x reads ``version = 3`` with ``plugins."io.containerd.cri.v1.runtime"``. Both
drop-ins are rendered here; the script installs the one for the containerd it finds.
"""

from __future__ import annotations

SHIM_TYPE = "io.containerd.kata.v2"

_CRI_TABLE = {
    2: 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes',
    3: 'plugins."io.containerd.cri.v1.runtime".containerd.runtimes',
}


def containerd_dropin(version: int, name: str, config_file: str) -> str:
    """The drop-in registering ``name`` as a Kata runtime for containerd's CRI plugin."""
    table = f"{_CRI_TABLE[version]}.{name}"
    return (
        "# Managed by edgeauto (kata_runtime): the Kata Containers runtime for containerd.\n"
        f"version = {version}\n\n"
        f"[{table}]\n"
        f'  runtime_type = "{SHIM_TYPE}"\n'
        "  privileged_without_host_devices = true\n"
        '  pod_annotations = ["io.katacontainers.*"]\n\n'
        f"[{table}.options]\n"
        f'  ConfigPath = "{config_file}"\n'
    )


def containerd_dropins(name: str, config_file: str) -> tuple[str, str]:
    """(schema 2 drop-in, schema 3 drop-in)."""
    return containerd_dropin(2, name, config_file), containerd_dropin(3, name, config_file)


def docker_entry(runtime_path: str | None = None) -> dict:
    """The value of ``runtimes.<name>`` in daemon.json.

    Docker 23+ starts shim-v2 runtimes by type (``runtimeType``), which is how Kata 2+/3 is
    used. Older Docker only runs runc-compatible binaries (``path``); Kata 2+ ships none, so a
    path is for labs and stand-ins only (the module refuses the type on Docker < 23).
    """
    if runtime_path:
        return {"path": str(runtime_path)}
    return {"runtimeType": SHIM_TYPE}

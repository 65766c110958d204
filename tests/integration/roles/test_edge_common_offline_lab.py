"""``edge_common`` on an air-gapped host: apt gets packages only from the site's own signed
repository (``edge_common_apt_repositories``), the distribution's sources are set aside
(``edge_common_apt_disable_sources``), and a change of sources refreshes the cache at once.

The repository is real: one .deb fetched with this machine's apt, indexed and clear-signed by
the Vagrant lab's mirror code (edgeauto/vagrantlab/mirror.py, key in a private GnuPG home),
copied onto a fresh Debian lab host and read there as ``file:///srv/site-mirror`` with its
public key inline in ``Signed-By``. No network is used on the host. Each converge runs twice
(the second changes nothing). Check mode predicts the package install once the sources are in
place; before that it cannot (as with Ansible: check mode does not refresh the cache, so a
package only the new source has is "not available" — roles/edge_common/README.md).
"""

from __future__ import annotations

import subprocess

import pytest
from role_play import apply_roles, by_name, converge_roles, failures

from edgeauto.vagrantlab.mirror import Mirror, MirrorConfig

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PACKAGE = "tini"  # small, not in the lab's Debian base


def signed_repo(tmp_path) -> tuple[bytes, str]:
    """A tar of a signed flat repository holding PACKAGE, and its armored public key."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["apt-get", "download", "-qq", PACKAGE], cwd=repo, check=True)
    mirror = Mirror(MirrorConfig((PACKAGE,), 8080, tmp_path / "key.asc"), tmp_path / "cache")
    mirror.index_and_sign(repo)
    tar = subprocess.run(["tar", "-C", str(repo), "-cf", "-", "."], capture_output=True, check=True)
    return tar.stdout, mirror.public_key()


def test_edge_common_installs_from_the_site_mirror_only(tmp_path, lab_inventory, fresh_host):
    host = fresh_host
    tar, key = signed_repo(tmp_path)
    host.run("mkdir -p /srv/site-mirror && tar -C /srv/site-mirror -xf -", input=tar, check=True)
    sources_only = {
        "edge_common_packages": {},
        "edge_common_apt_repositories": [
            {"name": "site-mirror", "uris": "file:///srv/site-mirror", "suites": "./",
             "signed_by": key},
        ],
        "edge_common_apt_disable_sources": ["sources.list.d/debian.sources"],
        "edge_common_sysctl_apply": False,  # the lab host shares the controller's kernel
    }  # fmt: skip
    first = converge_roles(tmp_path, lab_inventory, host, ["edge_common"], sources_only)
    status = by_name(first)
    for task in (
        "edge_common | apt repositories (deb822 .sources files)",
        "edge_common | distribution sources set aside (renamed NAME.disabled, which apt ignores)",
        "edge_common | apt cache",
    ):
        assert status[task] == "changed", task
    with_package = dict(sources_only, edge_common_packages={"apt": [PACKAGE]})
    code, predicted, rec = apply_roles(
        tmp_path, lab_inventory, host, ["edge_common"], with_package, check=True
    )
    assert code == 0, failures(predicted, rec)
    installed = converge_roles(tmp_path, lab_inventory, host, ["edge_common"], with_package)
    changed = lambda results: sorted(r.task.name for r in results if r.status == "changed")  # noqa: E731
    assert changed(predicted) == changed(installed) == ["edge_common | base packages"]
    run = lambda cmd: host.run(cmd, check=True).stdout  # noqa: E731
    assert run(f"dpkg-query -W -f '${{Status}}' {PACKAGE}") == "install ok installed"
    assert run("apt-get indextargets --format '$(SITE)' | sort -u").split() == [
        "file:/srv/site-mirror"
    ]
    assert run("ls /etc/apt/sources.list.d").split() == [
        "debian.sources.disabled",
        "site-mirror.sources",
    ]
    # apt verified the repository's signature with the inline key (no trusted=yes)
    assert "Signed-By:" in run("cat /etc/apt/sources.list.d/site-mirror.sources")
    assert "Trusted" not in run("cat /etc/apt/sources.list.d/site-mirror.sources")

"""``edgeauto galaxy install`` end to end as a subprocess: tarballs, directories and git
repositories into roles_path/collections_path, idempotent reinstall, the lock file and
``--locked``, refusal of tampered sources, and a role installed this way used by a real
``edgeauto run`` (local connection, debug only: nothing touches the controller)."""

from __future__ import annotations

import tarfile

import yaml

from tests.unit.galaxy.conftest import (
    collection_tarball,
    edgeauto,
    git,
    git_role_repo,
    make_role,
    role_tarball,
)


def _requirements(project, roles=(), collections=()):
    path = project / "requirements.yml"
    path.write_text(yaml.safe_dump({"roles": list(roles), "collections": list(collections)}))
    return path


def _install(project, *extra):
    return edgeauto(project, "galaxy", "install", "-r", "requirements.yml",
                    "-p", "roles", "--collections-path", "colls", *extra)  # fmt: skip


def _tree(path):
    return sorted(
        (str(p.relative_to(path)), p.read_bytes()) for p in path.rglob("*") if p.is_file()
    )


def test_tarball_dir_and_git_sources_install_then_reinstall_changes_nothing(project):
    role_tarball(project, "tarrole")
    make_role(project / "src", "dirrole", "dir")
    repo = git_role_repo(project, "gitrole")
    collection_tarball(project, "acme", "tools", "1.2.0")
    _requirements(
        project,
        roles=[{"src": "tarrole.tar.gz", "name": "tarrole"}, {"src": "src/dirrole"},
               {"src": f"git+file://{repo},v1.0", "name": "gitrole"}],
        collections=[{"name": "acme-tools-1.2.0.tar.gz", "type": "file", "version": ">=1.0.0"}],
    )  # fmt: skip
    proc = _install(project)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("installed to") == 4, proc.stdout
    roles = project / "roles"
    assert (roles / "tarrole/tasks/main.yml").read_text().endswith("hello from tarball\n")
    assert (roles / "dirrole/tasks/main.yml").is_file()
    assert (roles / "gitrole/tasks/main.yml").is_file() and not (roles / "gitrole/.git").exists()
    coll = project / "colls/ansible_collections/acme/tools"
    assert (coll / "roles/greet/tasks/main.yml").is_file()
    lock = yaml.safe_load((project / "requirements.lock.yml").read_text())
    assert [r["name"] for r in lock["roles"]] == ["tarrole", "dirrole", "gitrole"]
    assert lock["roles"][2]["commit"] == git(repo, "rev-parse", "HEAD")
    assert (
        lock["collections"][0]["version"] == "1.2.0" and len(lock["collections"][0]["sha256"]) == 64
    )
    before = _tree(project / "roles"), _tree(project / "colls")
    again = _install(project)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already installed") == 4 and "0 installed, 4 kept" in again.stdout
    assert (_tree(project / "roles"), _tree(project / "colls")) == before
    assert [p.name for p in roles.iterdir()] and not any(
        p.name.startswith(".") for p in roles.iterdir()
    )


def test_locked_refuses_a_tampered_tarball_and_keeps_the_old_version(project):
    tarball = role_tarball(project, "web")
    _requirements(project, roles=[{"src": "web.tar.gz", "name": "web"}])
    assert _install(project).returncode == 0
    installed = _tree(project / "roles/web")
    role_tarball(project, "web", msg="tampered")  # same name, other bytes
    assert tarball.exists()
    proc = _install(project, "--locked")
    assert proc.returncode == 1
    assert "lock file pins" in proc.stderr and "refusing" in proc.stderr
    assert _tree(project / "roles/web") == installed  # the old version is untouched
    assert not [p for p in (project / "roles").iterdir() if p.name.startswith(".")]


def test_locked_installs_the_pinned_commit_and_fails_when_the_tag_moved(project):
    repo = git_role_repo(project, "base")
    _requirements(
        project, roles=[{"src": str(repo), "scm": "git", "version": "v1.0", "name": "base"}]
    )
    assert _install(project).returncode == 0
    (project / "roles").rename(project / "roles.first")
    proc = _install(project, "--locked")  # fresh site: exactly the locked commit
    assert proc.returncode == 0, proc.stderr
    (repo / "tasks/main.yml").write_text("- debug: msg=moved\n")
    git(repo, "commit", "-qam", "moved")
    git(repo, "tag", "-f", "v1.0")
    proc = _install(project, "--locked")
    assert proc.returncode == 1 and "the lock file pins" in proc.stderr, proc.stderr
    # without --locked the new commit is a new version of the same ref: --force takes it
    assert "installed to" in _install(project, "--force").stdout


def test_a_collection_whose_file_does_not_match_files_json_is_refused(project):
    tarball = collection_tarball(project, "acme", "bad", "1.0.0")
    with tarfile.open(tarball) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    import io

    with tarfile.open(tarball, "w:gz") as tar:
        for member, data in members:
            data = b"- debug: msg=evil\n" if member.name.endswith("main.yml") else data
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    proc = edgeauto(project, "galaxy", "install", str(tarball), "--collections-path", "colls")
    assert proc.returncode == 1 and "FILES.json checksum" in proc.stderr
    assert not (project / "colls/ansible_collections/acme/bad").exists()


def test_bad_requirement_entries_are_reported_with_file_and_line(project):
    (project / "requirements.yml").write_text(
        "roles:\n  - src: ok.tar.gz\n  - name: geerlingguy.docker\ncollections: []\n"
    )
    proc = _install(project)
    assert proc.returncode == 1
    assert "requirements.yml:3" in proc.stderr and "no src" in proc.stderr
    (project / "requirements.yml").write_text("roles:\n  - src: x.tar.gz\n    sorce: y\n")
    proc = _install(project)
    assert "requirements.yml:3" in proc.stderr and "unknown key 'sorce'" in proc.stderr


def test_installed_role_and_collection_role_are_used_by_edgeauto_run(project):
    role_tarball(project, "greeter")
    collection_tarball(project, "acme", "tools", "2.0.0")
    _requirements(
        project,
        roles=[{"src": "greeter.tar.gz", "name": "greeter", "version": "1.0.0"}],
        collections=[{"name": "acme.tools", "src": "acme-tools-2.0.0.tar.gz", "type": "file"}],
    )
    (project / "ansible.cfg").write_text(
        "[defaults]\nroles_path = ./installed\ncollections_path = ./colls\n"
    )
    proc = edgeauto(project, "galaxy", "install", "-r", "requirements.yml")  # config's paths
    assert proc.returncode == 0, proc.stderr
    assert (project / "installed/greeter/tasks/main.yml").is_file()
    assert (project / "colls/ansible_collections/acme/tools/MANIFEST.json").is_file()
    (project / "hosts.ini").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=none\n"
    )
    (project / "play").mkdir()  # no roles/ beside the playbook: found via the config only
    (project / "play/pb.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  roles: [greeter, acme.tools.greet]\n"
    )
    proc = edgeauto(project, "run", "-i", "hosts.ini", "play/pb.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "hello from tarball" in proc.stdout
    assert "hello from acme.tools 2.0.0" in proc.stdout


def test_command_line_sources_and_the_old_list_format(project):
    make_role(project / "src", "plain", "plain dir")
    proc = edgeauto(project, "galaxy", "install", "src/plain", "-p", "roles")
    assert proc.returncode == 0 and "role plain" in proc.stdout, proc.stderr
    assert not (project / "requirements.lock.yml").exists()  # no -r: nothing to lock
    repo = git_role_repo(project, "old")
    (project / "requirements.yml").write_text(f"- src: git+file://{repo},v1.0\n")
    proc = _install(project)
    assert proc.returncode == 0, proc.stderr
    assert (project / "roles/old/tasks/main.yml").is_file()


def test_a_collection_version_that_does_not_satisfy_the_requirement_is_refused(project):
    collection_tarball(project, "acme", "tools", "1.2.0")
    _requirements(project, collections=[{"name": "acme-tools-1.2.0.tar.gz", "version": ">=2.0"}])
    proc = _install(project)
    assert proc.returncode == 1 and "asks for >=2.0" in proc.stderr
    assert "requirements.yml:" in proc.stderr


def test_ansible_galaxy_spellings_role_install_and_collection_install_p(project):
    role_tarball(project, "web")
    collection_tarball(project, "acme", "tools", "1.0.0")
    _requirements(
        project,
        roles=[{"src": "web.tar.gz", "name": "web"}],
        collections=[{"name": "acme-tools-1.0.0.tar.gz", "type": "file"}],
    )
    proc = edgeauto(project, "galaxy", "collection", "install", "-r", "requirements.yml",
                    "-p", "colls")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 installed" in proc.stdout and not (project / "roles").exists()
    assert (project / "colls/ansible_collections/acme/tools/MANIFEST.json").is_file()
    proc = edgeauto(project, "galaxy", "role", "install", "-r", "requirements.yml", "-p", "roles")
    assert proc.returncode == 0 and (project / "roles/web/tasks/main.yml").is_file()
    assert not (project / "requirements.lock.yml").exists()  # partial runs do not lock


def test_a_directory_source_edited_after_locking_is_refused(project):
    src = make_role(project / "src", "ntp", "v1")
    _requirements(project, roles=[{"src": "src/ntp"}])
    assert _install(project).returncode == 0
    lock = yaml.safe_load((project / "requirements.lock.yml").read_text())
    assert lock["roles"][0]["source"] == "src/ntp"  # relative: the lock moves with the project
    assert _install(project, "--locked").returncode == 0
    (src / "tasks/main.yml").write_text("- debug: msg=edited\n")
    proc = _install(project, "--locked")
    assert proc.returncode == 1 and "the lock file pins" in proc.stderr
    assert "hello from v1" in (project / "roles/ntp/tasks/main.yml").read_text()


def test_a_collection_from_a_git_repository_with_galaxy_yml(project):
    repo = project / "repos/acme-util"
    (repo / "roles/r/tasks").mkdir(parents=True)
    (repo / "roles/r/tasks/main.yml").write_text("- debug: msg=util\n")
    (repo / "galaxy.yml").write_text("namespace: acme\nname: util\nversion: 0.3.0\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "0.3.0")
    git(repo, "tag", "v0.3.0")
    _requirements(project, collections=[{"source": str(repo), "type": "git", "version": "v0.3.0"}])
    proc = _install(project)
    assert proc.returncode == 0, proc.stderr
    assert "collection acme.util 0.3.0 installed" in proc.stdout
    assert (project / "colls/ansible_collections/acme/util/roles/r/tasks/main.yml").is_file()
    assert "already installed" in _install(project, "--locked").stdout


def test_an_install_interrupted_between_the_renames_is_recovered(project):
    """Stands in for a kill between the two renames by making that state by hand."""
    role_tarball(project, "web")
    _requirements(project, roles=[{"src": "web.tar.gz", "name": "web", "version": "1.0.0"}])
    assert _install(project).returncode == 0
    roles = project / "roles"
    (roles / "web").rename(roles / ".web.edgeauto-old-4242")
    proc = _install(project)
    assert proc.returncode == 0 and "already installed" in proc.stdout, proc.stdout
    assert (roles / "web/tasks/main.yml").is_file() and not list(roles.glob(".web.*"))

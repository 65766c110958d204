"""template: the controller renders with the real Templar, the target installs like copy;
the bytes match ansible-core's template module for the same template and variables."""

from pathlib import Path

import pytest

from edgeauto.modules.base import CompileContext
from edgeauto.remote.localrun import LocalTask, run_local
from edgeauto.templating.templar import Templar

from .harness import ANSIBLE, ansible_localhost, run_under

TEMPLATE = "# {{ title }}\n{% for u in users %}\n  user {{ u }}\n{% endfor %}\nend={{ n * 2 }}\n\n"
VARS = {"title": "demo", "users": ["a", "b"], "n": 21}


def render_with_edgeauto(shell, src: Path, dest: Path, check=False, **extra_args):
    def ctx_factory(task):
        return CompileContext(
            check_mode=task.check, diff=task.diff, templar=Templar(VARS, basedir=src.parent)
        )

    out = run_under(
        shell,
        [
            LocalTask(
                "template",
                {"src": str(src), "dest": str(dest), **extra_args},
                check=check,
                diff=True,
            )
        ],
        ctx_factory=ctx_factory,
    )
    assert not out.results[0].get("failed"), out.results[0]
    return out.results[0]


def test_template_converges_with_check_mode_prediction(shell, tmp_path):
    src = tmp_path / "t.j2"
    src.write_text(TEMPLATE)
    dest = tmp_path / "out.conf"
    predicted = render_with_edgeauto(shell, src, dest, check=True)
    first = render_with_edgeauto(shell, src, dest)
    second = render_with_edgeauto(shell, src, dest)
    assert predicted["changed"] and first["changed"] and not second["changed"]
    assert dest.read_text() == "# demo\n  user a\n  user b\nend=42\n\n"
    assert first["diff"]["after"] == dest.read_text()


@pytest.mark.slow
@pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (test oracle) not installed")
@pytest.mark.parametrize(
    "options", [{}, {"lstrip_blocks": True}, {"newline_sequence": "\\r\\n"}], ids=str
)
def test_template_bytes_match_ansible(options, tmp_path):
    src = tmp_path / "t.j2"
    src.write_text(TEMPLATE.replace("{% for", "    {% for"))
    theirs = tmp_path / "theirs"
    ansible_localhost(
        "template",
        {"src": str(src), "dest": str(theirs), **options},
        extra_vars=VARS,
        check=True,
    )
    ours = tmp_path / "ours"
    render_with_edgeauto("dash", src, ours, **options)
    assert ours.read_bytes() == theirs.read_bytes()


def test_vault_encrypted_sources_are_decrypted_for_copy_and_template(tmp_path):
    from edgeauto.templating.vault import VaultSecrets, encrypt

    secrets = VaultSecrets.from_password("pw")
    (tmp_path / "key.pem").write_text(encrypt(b"-----SECRET KEY-----\n", secrets))
    (tmp_path / "t.j2").write_text(encrypt(b"user={{ title }}\n", secrets))

    def ctx_factory(task):
        return CompileContext(templar=Templar(VARS, basedir=tmp_path, vault=secrets))

    out = run_local(
        [
            LocalTask(
                "copy", {"src": str(tmp_path / "key.pem"), "dest": str(tmp_path / "out.pem")}
            ),
            LocalTask(
                "template", {"src": str(tmp_path / "t.j2"), "dest": str(tmp_path / "out.conf")}
            ),
        ],
        ctx_factory=ctx_factory,
    )
    assert all(r["changed"] for r in out.results), out.results
    assert (tmp_path / "out.pem").read_text() == "-----SECRET KEY-----\n"
    assert (tmp_path / "out.conf").read_text() == "user=demo\n"

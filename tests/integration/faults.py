"""Shared pieces of the fault-injection tests: a multi-task playbook whose every file changes
with a generation number, the invariant "each file is wholly one generation", and the target
inspections (stale temp dirs, half-written temp files, live edgeauto scripts).

Why generations: a fault hits a run that really changes files; after it every managed file
must hold exactly the old or the new generation's content (atomic writes), never a mix."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIG_LINES = 40000  # ~1.3 MB: the copy takes long enough for faults to land inside it
SMALL = 4


def seeded_random(name: str) -> tuple[random.Random, int]:
    """Random timing, reproducible: EDGEAUTO_FAULT_SEED replays a failing sequence."""
    seed = int(os.environ.get("EDGEAUTO_FAULT_SEED") or time.time_ns() % 2**32)
    return random.Random(f"{name}:{seed}"), seed


def big_content(gen: int) -> str:
    return f"generation {gen}\n" + "".join(f"{gen}:{i:07d} filler\n" for i in range(BIG_LINES))


def expected_files(gen: int) -> dict[str, str]:
    """Every managed file's sha1 for one generation (relative names under the base dir)."""
    files = {
        "big.txt": big_content(gen),
        "conf": f"# generation {gen}\nvalue={gen * 7}\n",
        "list": f"keep\ngen={gen}\n",
        "last": f"{gen}",
    }
    files.update({f"small-{i}": f"{gen} {i}\n" for i in range(SMALL)})
    return {name: hashlib.sha1(text.encode()).hexdigest() for name, text in files.items()}


@dataclass
class GenerationPlaybook:
    """The playbook and its controller-side files, one big source file per generation."""

    root: Path
    base: str
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        (self.root / "templates").mkdir(parents=True, exist_ok=True)
        (self.root / "templates" / "conf.j2").write_text(
            "# generation {{ gen }}\nvalue={{ (gen | int) * 7 }}\n"
        )
        self.path = self.root / "gen.yml"
        self.path.write_text(
            textwrap.dedent(
                f"""
                - hosts: all
                  gather_facts: false
                  vars: {{base: "{self.base}"}}
                  tasks:
                    - file: {{path: "{{{{ base }}}}", state: directory}}
                    - copy: {{src: "big-{{{{ gen }}}}.txt", dest: "{{{{ base }}}}/big.txt"}}
                    - shell: sleep 0.3
                    - template: {{src: conf.j2, dest: "{{{{ base }}}}/conf"}}
                    - lineinfile: {{path: "{{{{ base }}}}/list", line: "keep", create: true,
                                    insertbefore: BOF}}
                    - lineinfile: {{path: "{{{{ base }}}}/list", regexp: "^gen=",
                                    line: "gen={{{{ gen }}}}"}}
                    - copy: {{dest: "{{{{ base }}}}/small-{{{{ item }}}}",
                              content: "{{{{ gen }}}} {{{{ item }}}}\\n"}}
                      loop: {list(range(SMALL))}
                    - shell: sleep 0.2
                    - copy: {{dest: "{{{{ base }}}}/last", content: "{{{{ gen }}}}"}}
                """
            )
        )

    def prepare(self, gen: int) -> None:
        source = self.root / f"big-{gen}.txt"
        if not source.exists():
            source.write_text(big_content(gen))


def start_run(
    playbook: Path, inventory: Path, limit: str, gen: int, *extra: str
) -> subprocess.Popen:
    argv = [sys.executable, "-m", "edgeauto", "run", "-i", str(inventory), "-l", limit]
    return subprocess.Popen(
        [*argv, str(playbook), "-e", f"gen={gen}", "--no-retry-file", *extra],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def file_generations(host, base: str, newest: int) -> dict[str, object]:
    """For each managed file on the host: the generation its content belongs to, or
    'torn' (matches none), or 'missing'; plus 'stray' for temp files left in the dir."""
    listing = host.run(f"ls -A {base} 2>/dev/null; true").stdout.split()
    sums = {}
    if listing:
        out = host.run(f"cd {base} && sha1sum {' '.join(listing)}").stdout
        sums = {name: digest for digest, name in (line.split() for line in out.splitlines())}
    known = {gen: expected_files(gen) for gen in range(0, newest + 1)}
    state: dict[str, object] = {}
    for name in expected_files(newest):
        digest = sums.get(name)
        gens = [gen for gen, files in known.items() if files[name] == digest]
        state[name] = gens[0] if gens else ("missing" if digest is None else "torn")
    stray = sorted(set(listing) - set(expected_files(newest)))
    if stray:
        state["stray"] = stray
    return state


def live_scripts(host) -> list[str]:
    """PIDs of edgeauto scripts still running on the host (their private dir's pid file)."""
    out = host.run(
        'for f in /tmp/edgeauto.*/pid; do [ -r "$f" ] || continue; read -r p < "$f"; '
        'kill -0 "$p" 2>/dev/null && echo "$p"; done; true'
    ).stdout
    return out.split()


def wait_scripts_gone(host, timeout: float = 60.0) -> None:
    """An orphaned script of a killed controller may still be finishing: wait for it, so
    what is left afterwards is really stale."""
    deadline = time.monotonic() + timeout
    while live_scripts(host) and time.monotonic() < deadline:
        time.sleep(0.2)


def temp_dirs(host) -> list[str]:
    return host.run("ls -d /tmp/edgeauto.* /var/tmp/edgeauto.* 2>/dev/null; true").stdout.split()

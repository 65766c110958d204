"""``edgeauto completion bash|zsh|fish``: print a completion script for the shell.

Install, for example: ``edgeauto completion bash > /etc/bash_completion.d/edgeauto``;
``edgeauto completion zsh > "${fpath[1]}/_edgeauto"``;
``edgeauto completion fish > ~/.config/fish/completions/edgeauto.fish``.
"""

from __future__ import annotations


def register(subparsers) -> None:
    from edgeauto.completion import SHELLS

    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("shell", choices=SHELLS)
    parser.set_defaults(func=_run)


def _run(args) -> int:
    from edgeauto.cli import build_parser
    from edgeauto.completion import script

    print(script(args.shell, build_parser()), end="")
    return 0

"""``glowline completion bash|zsh|fish``: print a static shell-completion script generated from the argparse tree.

A thin command: it builds glowline's parser and prints glowline.shell_completion's script for the shell. It is
generated once (install it as docs/configuration.md shows) and never calls glowline while completing.
"""

from __future__ import annotations

import argparse
from typing import Any

from glowline.shell_completion import SHELLS, Command, bash, fish, zsh


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "completion",
        help="print a shell completion script: bash, zsh or fish",
        description="Print a completion script for SHELL on stdout (see docs/configuration.md, Shell completion).",
        epilog="bash: glowline completion bash > ~/.local/share/bash-completion/completions/glowline\n"
        "zsh:  glowline completion zsh > ~/.zfunc/_glowline  (with fpath+=~/.zfunc before compinit)\n"
        "fish: glowline completion fish > ~/.config/fish/completions/glowline.fish",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in: bash, zsh or fish")


def run(args: argparse.Namespace, conf: object) -> int:
    from glowline.commands.options import build_parser

    root = Command("glowline", build_parser())
    print({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](root), end="")
    return 0

"""Entry point for ``python -m glowline.emulator --port N [--host 127.0.0.1]``."""

import sys

from glowline.emulator.cli import run

sys.exit(run())

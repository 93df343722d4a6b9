"""Entry point for ``python -m glowline``."""

import sys

from glowline.cli import main

sys.exit(main())

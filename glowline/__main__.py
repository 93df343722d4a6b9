"""Entry point for ``python -m glowline``."""

from glowline.cli import leave, main

leave(main())

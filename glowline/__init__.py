"""glowline: your smart meter's last days as one Unicode sparkline, for terminals, prompts and status bars."""

__version__ = "0.1.0"

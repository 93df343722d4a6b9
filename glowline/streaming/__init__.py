"""The streaming status line behind `glowline watch`: the loop (loop.py) and the reader of the hosts' clicks
(clicks.py)."""

"""The fast path: from argv and the days file to one printed line, with the standard library's os, sys and time
only (docs/architecture.md)."""

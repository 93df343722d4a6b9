"""The report: one model of days, months, years and costs built from the store (model, build), and its views:
JSON (as_json) and the terminal through rich (terminal, terminal_days, terminal_periods, cells)."""

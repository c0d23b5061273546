"""Pure domain code: no I/O, no SDK, no database imports."""

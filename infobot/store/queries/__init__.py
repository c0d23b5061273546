"""The read side's queries: plain SQL run by a :class:`~infobot.store.reader.Reader`.

One module per area (``stories``, ``campaigns``); each query is a typed function taking
the reader first and returning rows of :mod:`infobot.store.rows` or plain values. The
same SQL text runs on SQLite and PostgreSQL (``:name`` parameters; the reader converts
them for psycopg), so
write portable SQL: no dialect functions, ``LIMIT``/``OFFSET`` through
:func:`~infobot.store.reader.page`, ``IN`` lists through
:func:`~infobot.store.reader.placeholders` or :func:`literals` for the code's own
constants. These modules import no SQLAlchemy: the everyday commands run them without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

_PLAIN = re.compile(r"[a-z_]+")


def literal(value: Enum | str) -> str:
    """A status name of the code's own (an enum value) as an SQL string literal. Literals,
    not parameters, where a partial index or a plan depends on the value."""
    text = value.value if isinstance(value, Enum) else value
    if not isinstance(text, str) or not _PLAIN.fullmatch(text):
        raise ValueError(f"not a plain name: {text!r}")
    return f"'{text}'"


def literals(values: Iterable[Enum | str]) -> str:
    """``('a', 'b')`` for ``IN`` with the code's own constants."""
    return "(" + ", ".join(sorted(literal(v) for v in values)) + ")"

"""The range of every date and number infobot takes from people, checked at the edge.

A date outside ``EARLIEST``..``LATEST`` or an id beyond ``MAX_ID`` is refused where it
comes in (the web page answers 400, the command line exits 2, an import names the file,
line and field), so a typo such as 9999-12-31 or 99999999999999999999 never reaches the
database or the date arithmetic. The pages still cope with extreme dates already stored.
"""

from __future__ import annotations

from datetime import date

from infobot.domain.dates import long_date
from infobot.domain.errors import UserError

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
#: Story, delivery and account ids are 32-bit integers in the database (PostgreSQL's
#: ``integer``); positions and page numbers are bounded by the same number.
MAX_ID = 2**31 - 1
DATE_RANGE = f"infobot takes dates from {long_date(EARLIEST)} to {long_date(LATEST)}"


class OutOfRange(UserError):
    """A date or number beyond what infobot takes; nothing was changed."""


def out_of_range(day: date) -> str | None:
    """Why ``day`` is refused, or None when it is in range."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{long_date(day)} is out of range: {DATE_RANGE}"


def check_date(day: date, what: str = "the date") -> date:
    """``day``, or :class:`OutOfRange` naming ``what``."""
    problem = out_of_range(day)
    if problem is not None:
        raise OutOfRange(f"{what}: {problem}")
    return day


def check_number(value: int, what: str = "the story number") -> int:
    """A positive whole number up to :data:`MAX_ID`, or :class:`OutOfRange`."""
    if not 1 <= value <= MAX_ID:
        raise OutOfRange(f"{what} must be a whole number from 1 to {MAX_ID:,}, not {value}")
    return value


def parse_number(text: str, what: str = "the story number") -> int:
    """The number in ``text`` (digits only), checked by :func:`check_number`."""
    cleaned = text.strip()
    if not cleaned.isdigit() or not cleaned.isascii():
        raise UserError(f"enter {what} as a whole number, for example 12")
    if len(cleaned) > 12:
        raise OutOfRange(f"{what} must be a whole number from 1 to {MAX_ID:,}")
    return check_number(int(cleaned), what)


def parse_date(text: str, what: str = "the date") -> date:
    """A date written YYYY-MM-DD, checked by :func:`check_date`."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"enter {what} as YYYY-MM-DD, for example 2026-12-25") from None
    return check_date(day, what)

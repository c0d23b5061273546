"""Cheap argon2 parameters for the passwords the tests make and check in-process.

The product hashes with argon2's defaults (argon2id, 3 passes over 64 MiB on 4 lanes):
about 0.4 s of CPU for a hash and a check on the test machine, on purpose. The suite signs
in and adds accounts hundreds of times (one test guesses 110 passwords), so in the test
process ``infobot.service.users`` gets a hasher of the same algorithm with the smallest
cost. Nothing else changes: the same code hashes, checks, equalises unknown names and
rehashes. ``tests/test_fast_hashes.py`` checks that the product's own hasher keeps the
default cost and reads the cheap hashes; every ``infobot`` started as its own process (the
web server of the browser tests, the CLI in a subprocess) hashes at the real cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argon2 import PasswordHasher

#: The product's own ``_hasher`` (kept so a test can check its cost).
product_hasher: Any = None


def cheap() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


def install() -> None:
    global product_hasher
    from functools import cache

    from infobot.service import users

    if product_hasher is not None:
        return
    product_hasher = users._hasher
    users._hasher = cache(cheap)

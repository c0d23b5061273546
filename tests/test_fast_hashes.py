"""The tests' cheap password hasher (tests/support/fast_hashes.py) leaves the product's alone."""

from __future__ import annotations

from argon2 import PasswordHasher, Type

from infobot.service import users
from tests.support import fast_hashes


def test_the_product_hashes_at_argon2s_default_cost() -> None:
    product = fast_hashes.product_hasher()
    default = PasswordHasher()
    assert product.type is Type.ID
    assert (product.time_cost, product.memory_cost, product.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert product.hash("a long enough password").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_tests_hash_with_the_same_algorithm_and_the_product_reads_it() -> None:
    made = users.hash_password("a long enough password 31")
    assert made.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    product = fast_hashes.product_hasher()
    assert product.verify(made, "a long enough password 31")
    assert product.check_needs_rehash(made)  # the real cost comes back on the next sign-in

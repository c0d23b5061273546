"""users.name_key (names matched in NFKC, case-folded) and signin_failures

Revision ID: 0005
Revises: 0004

Accounts were matched with SQL ``lower()``, which is ASCII-only on SQLite, so two accounts
could differ only in the case of a non-ASCII letter. The unique key settles that: when two
existing accounts share a key, the oldest keeps it and the others are disabled (with a key
no typed name can produce) and named in a warning, so an admin can look at them.
"""

from __future__ import annotations

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("infobot.store")


def _key(name: str) -> str:
    # The rule of infobot.domain.accounts.name_key as it stood when this migration was
    # written; a migration must not change when the code does.
    collapsed = " ".join(name.split())
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", collapsed).casefold())


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("disabled", sa.Boolean),
    )
    bind = op.get_bind()
    taken: dict[str, str] = {}
    for user_id, name in bind.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)):
        key = _key(name)[:200]
        values: dict[str, object] = {"name_key": key}
        if key in taken:
            # \x01 is a control character: check_name refuses it, so no sign-in reaches it.
            values = {"name_key": f"{key[:180]}\x01{user_id}", "disabled": True}
            log.warning(
                "accounts %r and %r differ only in case or Unicode form: %r is now disabled",
                taken[key],
                name,
                name,
            )
        else:
            taken[key] = name
        bind.execute(sa.update(users).where(users.c.id == user_id).values(**values))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=200), nullable=False)
        batch.create_unique_constraint(batch.f("uq_users_name_key"), ["name_key"])
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_signin_failures_scope_key")),
    )
    with op.batch_alter_table("signin_failures") as batch:
        batch.create_index(batch.f("ix_signin_failures_last_at"), ["last_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signin_failures") as batch:
        batch.drop_index(batch.f("ix_signin_failures_last_at"))
    op.drop_table("signin_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_name_key", type_="unique")
        batch.drop_column("name_key")

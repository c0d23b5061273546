"""stories' fingerprints are 32 hexadecimal digits, the first half of each

Revision ID: 0013
Revises: 0012

A fingerprint (``StoryInput.fingerprint``, ``infobot.domain.intake.erased_fingerprint``)
was the SHA-256 of a story's normalised body, author and title in 64 hexadecimal digits;
it is now the first 32 of them (``FINGERPRINT_CHARS``). Every story added goes into the
unique index on (campaign, fingerprint) at a random place, so the key's length is most of
that index's size and of an import's time spent in it. Each stored fingerprint keeps its
first 32 digits: the same story imported again finds it, as before. The column stays a
``VARCHAR(64)``.

Going back, each fingerprint is worked out again in full from the story as stored (an
erased story's from its id), as the code before this revision works it out.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CHARS = 32


def upgrade() -> None:
    op.execute(
        sa.text(
            f"UPDATE stories SET fingerprint = substr(fingerprint, 1, {CHARS}) "
            f"WHERE length(fingerprint) > {CHARS}"
        )
    )


def downgrade() -> None:
    from infobot.domain.story import _norm

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, body, author, title, erased_at FROM stories ORDER BY id")
    ).all()
    for story_id, body, author, title, erased_at in rows:
        if erased_at is not None:
            text = f"erased story {story_id}"
        else:
            text = "\x1f".join([_norm(body), _norm(author), _norm(title)])
        full = hashlib.sha256(text.encode("utf-8")).hexdigest()
        conn.execute(
            sa.text("UPDATE stories SET fingerprint = :fp WHERE id = :id"),
            {"fp": full, "id": story_id},
        )

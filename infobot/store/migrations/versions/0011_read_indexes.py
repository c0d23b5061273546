"""indexes for the read side's queries on a million stories

Revision ID: 0011
Revises: 0010

Every query of the story list, ``status``, the runway and the queue is served by an index,
without a full scan or a sort:

- ``ix_stories_status_order``: stories of one status in queue order (review, the list by
  status, their counts);
- ``ix_stories_others``: the stories that are not approved, in queue order (a partial
  index: the list shows them after the queue);
- ``ix_deliveries_needing``: failed and in-doubt deliveries, newest first (partial);
- ``ix_events_delivery_id``: a delivery's events (refused credentials, doubts in a row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NOT_APPROVED = sa.text("status <> 'approved'")
NEEDING = sa.text("status IN ('failed', 'in_doubt')")


def upgrade() -> None:
    op.create_index(
        "ix_stories_status_order", "stories", ["campaign_id", "status", "sort_key", "id"]
    )
    op.create_index(
        "ix_stories_others",
        "stories",
        ["campaign_id", "sort_key", "id"],
        sqlite_where=NOT_APPROVED,
        postgresql_where=NOT_APPROVED,
    )
    op.create_index(
        "ix_deliveries_needing",
        "deliveries",
        ["id"],
        sqlite_where=NEEDING,
        postgresql_where=NEEDING,
    )
    op.create_index("ix_events_delivery_id", "events", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_events_delivery_id", table_name="events")
    op.drop_index("ix_deliveries_needing", table_name="deliveries")
    op.drop_index("ix_stories_others", table_name="stories")
    op.drop_index("ix_stories_status_order", table_name="stories")

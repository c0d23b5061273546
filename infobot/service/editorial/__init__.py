"""Editorial operations: add, edit, approve, reject, reorder, pin, withdraw, pause, blackouts.

Each operation is one transaction: it completes, or raises a ``UserError`` and changes
nothing. Every change writes an audit event. The parts:

- :mod:`.authoring`: add and edit (an edit sends an approved story back to draft);
- :mod:`.review`: approve (checked against every platform) and reject;
- :mod:`.ordering`: move in the queue, pin to a date, unpin;
- :mod:`.withdrawal`: withdraw, deleting the live posts;
- :mod:`.campaign`: pause, resume and blackout dates;
- :mod:`.elections`: pre-election periods, and stories marked essential to go out in one.
"""

from __future__ import annotations

from infobot.service.editorial.authoring import Authoring
from infobot.service.editorial.campaign import CampaignDesk
from infobot.service.editorial.desk import DeskParts, EditorialRules
from infobot.service.editorial.elections import ElectionDesk
from infobot.service.editorial.ordering import Ordering
from infobot.service.editorial.review import Approval, Review
from infobot.service.editorial.withdrawal import Deletion, Withdrawal, Withdrawals

__all__ = ["Approval", "Deletion", "DeskParts", "Editorial", "EditorialRules", "Withdrawal"]


class Editorial(Authoring, Review, Ordering, Withdrawals, CampaignDesk, ElectionDesk):
    """Every editorial operation; each desk's module holds its own part."""

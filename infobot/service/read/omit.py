"""Field metadata of the read models' JSON (``infobot.cli.common.print_json``), in a module
of its own so that models import it without the renderer."""

from __future__ import annotations

#: Field metadata: leave the field out of the JSON when it is None.
OMIT_NONE = {"omit_none": True}

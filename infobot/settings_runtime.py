"""Settings of the running daemon's own services (issue 13), joined into ``Settings``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RuntimeSettings(BaseModel):
    health_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="`infobot run` answers `infobot health` on 127.0.0.1 at this port"
        " (the container's health check: 9465)",
    )

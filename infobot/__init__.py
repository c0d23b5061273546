"""infobot: one #infostory a day."""

__version__ = "0.1.0"

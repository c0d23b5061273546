"""Service layer: the publishing pipeline and the editorial operations."""

"""The pages, one module per area; each exposes ``routes(web)``."""

"""The ``infobot`` command line: thin over the services.

Only click and the standard library are imported at module level here, so that
``infobot --help`` stays fast; each command imports what it needs when it runs.
"""

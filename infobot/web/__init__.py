"""The team's web page: a second face on the service layer, next to the CLI.

Server-rendered (Starlette, Jinja2, GOV.UK Frontend markup) and usable without JavaScript.
It holds no business rule of its own: every page reads through ``infobot.service`` and
every form calls the same service method as the matching ``infobot`` command, with the
signed-in person as the actor in the audit trail.

Nothing here is imported by ``infobot --help``: the CLI imports this package only when
``infobot web`` (or ``infobot run`` with a web port) starts it.
"""

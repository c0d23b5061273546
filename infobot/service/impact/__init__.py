"""Impact (issue 14): engagement read back, the campaign report, and what X costs.

- :mod:`.reading`: the daemon's engagement reads, on a schedule by each post's age;
- :mod:`.spending`: the X ledger (every request, priced) and the monthly budget's guard;
- :mod:`.forecast`: what the planned posts will cost on X (reserve, runway, calendar);
- :mod:`.reports`: the report and the first figures, for the CLI and the web page.

The rules are in the domain (:mod:`infobot.domain.engagement`, :mod:`infobot.domain.costs`,
:mod:`infobot.domain.impact`); the report's aggregation and writers are
:mod:`infobot.service.report_model` and :mod:`infobot.service.report_writers`.
"""

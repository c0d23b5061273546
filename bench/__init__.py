"""infobot's benchmarks: ``python -m bench`` (``make bench``); see bench/README.md.

One module per figure (``cli_start``, ``queries``, ``health``, ``importing``, ``daemon``,
``web``, ``size``), shared helpers in ``common``, ``report``, ``machine``, ``datasets``,
``bulkdb`` and ``processes``, and the small programs the figures run as children
(``python -m bench.<name>``): ``baseline_import``, ``idle_python``, ``sdk_floor``,
``sdk_imports``, and ``slow_platform`` (a platform plug-in).
"""

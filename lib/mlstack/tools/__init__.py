"""The tools behind the command line's verbs, for use on your own data.

Each subpackage is one verb: :mod:`.leakage` (``mlstack leakage``), :mod:`.lint`
(``mlstack lint``), :mod:`.exit_test` (``mlstack exit-test``), :mod:`.exam`
(``mlstack exam``). Nothing is imported here, so
running one tool never loads the others.
"""

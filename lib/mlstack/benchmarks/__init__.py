"""Benchmarks behind ``mlstack bench`` and the ``make bench-*`` targets.

Each measures in child processes and writes its raw figures to ``reports/timings/`` and a
report to ``reports/``. Nothing is imported here: a benchmark's engines load only when it runs.
"""

"""Code that exists to demonstrate one notebook's point. Not for reuse.

Each module serves the notebook named in its docstring (row loops, the recurrence,
encoding costs, regularization paths, array libraries, profiling, the planted leakage
scenario, the reflections...). Import a module by its path
(``from mlstack.lessons.recurrence import reset_points_loop``); this ``__init__`` imports
nothing, so a lesson's change re-runs only the notebooks that use it.
"""

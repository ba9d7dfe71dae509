"""``mlstack exam``: the exit test as an exam anyone can take, with its grading.

``mlstack exam new DIR`` writes a workspace drawn from a seed (:func:`new_exam`):
Part 1, a real table to model; Part 2, a leakage scenario with one planted
cause; Part 3, the reflection's prompt. ``mlstack exam submit DIR`` scores the
predictions on the public half of the test rows (:func:`submit`), and
``mlstack exam grade DIR`` grades every criterion (:func:`grade`), comparing the
private-half score with the reference solution and skrub's default pipeline.
``mlstack exam check-pool`` verifies every table the exams are drawn from
(:func:`check_pool`).
"""

from mlstack.tools.exam.check import check_pool, format_check
from mlstack.tools.exam.derive import Exam, Part1, build_exam, draw
from mlstack.tools.exam.diagnosis import Diagnosis, diagnose
from mlstack.tools.exam.grading import grade, public_private_gap
from mlstack.tools.exam.leaderboard import Submission, format_leaderboard, read_predictions, submit
from mlstack.tools.exam.outcome import Criterion, Grade
from mlstack.tools.exam.pool import PART1_POOL, SCENARIO_BASES, Table, load_table
from mlstack.tools.exam.scenarios import SCENARIO_KINDS, Scenario, behaves, measure, plant
from mlstack.tools.exam.workspace import ExamState, load_exam, new_exam

__all__ = [
    "Criterion",
    "Diagnosis",
    "Exam",
    "ExamState",
    "Grade",
    "PART1_POOL",
    "Part1",
    "SCENARIO_BASES",
    "SCENARIO_KINDS",
    "Scenario",
    "Submission",
    "Table",
    "behaves",
    "build_exam",
    "check_pool",
    "diagnose",
    "draw",
    "format_check",
    "format_leaderboard",
    "grade",
    "load_exam",
    "load_table",
    "measure",
    "new_exam",
    "plant",
    "public_private_gap",
    "read_predictions",
    "submit",
]

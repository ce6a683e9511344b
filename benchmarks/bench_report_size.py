"""The overview of a run of hundreds of projects: its size, and how long Chromium takes to draw it.

    python -m benchmarks.bench_report_size build OUT [--projects 300] [--source reports] [--no-images]
    python -m benchmarks.bench_report_size render OUT [--page index.html]

Run from the repository root (``-m``, so that ``tests.report_data`` is importable). ``build``
makes a deterministic run of ``--projects`` projects out of a real report directory's tables
(the showcase in ``reports/`` by default: 11 projects over 33 series, renamed, scaled and
given OpenStack deliverable types, see :func:`tests.report_data.many_projects`), writes its
tables and report to OUT and prints what the overview weighs: ``index.html`` itself and
everything it loads except the plotly.js file all pages share (it loads nothing else: its
charts' data and its table script are inline). ``render`` starts headless Chromium, loads
OUT's overview from disk, offline, waits until every chart is drawn and prints the time from
navigation start to the last chart drawn, as the page measures it; time the whole process
(Chromium's start and exit included) with an outside timer.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DRAWN = """
var plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
var drawn = plots.length > 0 && plots.every(function (plot) {
  return (plot._fullData || []).length && plot.querySelectorAll('svg.main-svg').length
    && plot.querySelectorAll('g.trace, g.slice, g.barlayer .point').length;
});
return [drawn, performance.now(), plots.length];
"""


def build(args: argparse.Namespace) -> None:
    from dataclasses import replace

    from loccount.report.atomic import write_text
    from loccount.report.outputs import (
        AREAS_CSV,
        CHANGES_CSV,
        PROVENANCE_JSON,
        TIDY_CSV,
        load_changes,
        load_report_input,
        write_csv,
        write_report,
    )
    from tests.report_data import many_projects

    tidy, areas, provenance = load_report_input(args.source)
    tidy, areas, changes = many_projects(tidy, areas, args.projects, load_changes(args.source))
    deliverables = tidy.drop_duplicates("project").set_index("project")["deliverable"].to_dict()
    latest = tidy.sort_values("series_date")["series"].iloc[-1]
    provenance = replace(
        provenance,
        deliverable_of={**deliverables, "requirements": "requirements"},
        skipped={"requirements": f"no final version in {latest}"},
    )
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    write_csv(tidy, out / TIDY_CSV)
    write_csv(areas, out / AREAS_CSV)
    if changes is not None:
        write_csv(changes, out / CHANGES_CSV)
    write_text(out / PROVENANCE_JSON, provenance.to_json())
    started = time.perf_counter()
    title = f"{args.projects} synthetic projects (the {args.source.name}/ projects renamed and scaled)"
    write_report(tidy, areas, provenance, out, images=args.images, title=title, changes=changes, say=lambda _m: None)
    took = time.perf_counter() - started
    index = (out / "index.html").read_bytes()
    pages = list(out.glob("project-*.html"))
    print(f"{tidy['project'].nunique()} projects, {tidy['series'].nunique()} series, report written in {took:.1f} s")
    print(f"overview: index.html {len(index):,} bytes ({len(gzip.compress(index)):,} gzipped); it loads no other")
    print("file but the shared plotly.js, which is not counted:")
    for script in sorted(out.glob("plotly-*.min.js")):
        print(f"  {script.name} {script.stat().st_size:,} bytes")
    sizes = sorted(page.stat().st_size for page in pages)
    print(f"{len(pages)} project pages, {sizes[0]:,} to {sizes[-1]:,} bytes, {sum(sizes):,} in all")


def render(args: argparse.Namespace) -> None:
    from tests.chromium import CHROMEDRIVER, CHROMIUM, start

    if not (CHROMIUM and CHROMEDRIVER):
        sys.exit("needs chromium and chromedriver on PATH")
    driver = start()
    try:
        driver.get((args.output / args.page).resolve().as_uri())
        deadline = time.monotonic() + 60
        while True:
            drawn, now, plots = driver.execute_script(DRAWN)
            if drawn or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if not drawn:
            sys.exit(f"{args.page}: not every chart was drawn within 60 s")
        print(f"{args.page}: {plots} charts drawn {now / 1000:.2f} s after navigation start")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write a synthetic run's tables and report")
    make.add_argument("output", type=Path)
    make.add_argument("--projects", type=int, default=300)
    make.add_argument("--source", type=Path, default=ROOT / "reports", help="a report directory to replicate")
    make.add_argument("--no-images", dest="images", action="store_false", help="skip the slide images")
    show = commands.add_parser("render", help="time Chromium drawing a report's page")
    show.add_argument("output", type=Path)
    show.add_argument("--page", default="index.html")
    args = parser.parse_args()
    build(args) if args.command == "build" else render(args)


if __name__ == "__main__":
    main()

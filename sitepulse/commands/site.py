"""`sitepulse site`: the site registry, from site files; a site file from a BIM model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    site = command_group(commands, "site", "the site registry")
    load = action(site, "load", "apply a site file (create or update)", _load)
    load.add_argument("file", type=Path)
    check = action(site, "check", "validate a site file without loading it", _check)
    check.add_argument("file", type=Path)
    ifc = action(site, "from-ifc", "write a site file from a BIM model (IFC2X3, IFC4)", _from_ifc)
    ifc.add_argument("model", type=Path, metavar="MODEL.ifc")
    ifc.add_argument("--site-id", required=True, metavar="ID")
    ifc.add_argument("--timezone", required=True, metavar="TZ", help="e.g. Asia/Shanghai")
    ifc.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    ifc.add_argument("--building", metavar="B", help="the building's Name or GlobalId")
    ifc.add_argument(
        "--merge",
        type=Path,
        metavar="FILE",
        help="an existing site file: keep its cranes, devices, workers, its zones and floors "
        "the model does not have, and its zones' hazard flags",
    )
    ifc.add_argument(
        "--suggest-hazards",
        action="store_true",
        help="add hazard zones from slab openings and slab edges, commented out, to confirm",
    )


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from sites.site_file import load_site_file

    site = load_site_file(args.file)
    print(
        f"{args.file}: site {site.site.id}: {len(site.floors)} floors, {len(site.zones)} zones, "
        f"{len(site.cranes)} cranes, {len(site.devices)} devices, {len(site.workers)} workers"
    )
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from sites.site_file import load_site_file
    from sites.store import apply_site

    site = load_site_file(args.file)
    with connect(settings) as conn:
        check_ready(conn)
        changes = apply_site(conn, site)
    print(f"site {site.site.id}: {changes.summary()}")
    return 0


def _from_ifc(args: argparse.Namespace, settings: Settings) -> int:
    from bim.ifc_model import read_model
    from bim.site_model import check_site_info, draft_site
    from bim.site_yaml import site_yaml
    from sites.site_file import load_site_file, parse_site_file

    def progress(message: str) -> None:
        print(f"from-ifc: {message}", file=sys.stderr, flush=True)

    check_site_info(args.site_id, args.timezone)
    existing = load_site_file(args.merge) if args.merge else None
    model = read_model(
        args.model, building=args.building, slabs=args.suggest_hazards, progress=progress
    )
    draft = draft_site(
        model,
        site_id=args.site_id,
        timezone=args.timezone,
        existing=existing,
        suggest=args.suggest_hazards,
    )
    header = [
        f"Site file written by `sitepulse site from-ifc` from {model.source} ({model.schema}, "
        f"building {model.building}).",
        "Floors: the model's storeys, level 1 the one at or just above elevation 0. Zones: its "
        "spaces, footprints in the model's coordinates (metres).",
    ]
    if args.merge:
        header.append(
            f"Merged with {args.merge.name}: its site name, cranes, devices and workers, the "
            "zones and floors the model does not have and each zone's hazard flag are kept."
        )
    text = site_yaml(draft.site, draft.suggestions, header)
    parse_site_file(text, "the site file written")  # what `site check` would say, said now
    for note in draft.notes:
        progress(note)
    summary = (
        f"{len(draft.site.floors)} floors, {len(draft.site.zones)} zones, "
        f"{len(draft.suggestions)} suggested hazard zones"
    )
    if args.out is None:
        sys.stdout.write(text)
        progress(summary)
        return 0
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.out)
    progress(f"wrote {args.out}: {summary}")
    return 0

"""`sitepulse log export`: a day's construction log, as JSON or a PDF."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings

PDF_TIMEOUT_S = 120


def register(commands: Commands) -> None:
    log = command_group(commands, "log", "the daily construction log (施工日志)")
    export = action(log, "export", "a day's log: JSON on stdout, or a PDF with --pdf", _export)
    export.add_argument("--site", help="default: the only site in the database")
    export.add_argument(
        "--day", type=date.fromisoformat, required=True, help="the site's day, e.g. 2026-11-23"
    )
    export.add_argument("--pdf", type=Path, help="write the printable page as a PDF (A4) here")


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from api.daily_log import render_log
    from core.db import connect
    from labor.hours import check_day
    from records.daily_log import daily_log
    from schedules.store import only_site

    check_day(args.day)
    with connect(settings) as conn:
        site = args.site or only_site(conn)
        log = daily_log(conn, site, args.day, datetime.now(UTC))
    if args.pdf is None:
        sys.stdout.write(log.model_dump_json(indent=2, by_alias=True) + "\n")
        return 0
    print_pdf(render_log(log), args.pdf)
    print(f"site {site}: the log of {args.day} written to {args.pdf}")
    return 0


def print_pdf(page: str, out: Path) -> None:
    """Through Debian's headless Chromium (the browser the page tests use)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SitePulseError("--pdf needs chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "log.html"
        source.write_text(page, encoding="utf-8")
        target = out.resolve()
        done = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=PDF_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0 or not target.exists():
        msg = f"chromium could not print the PDF ({done.returncode}): {done.stderr[-500:]}"
        raise SitePulseError(msg)

"""The wall page `/board/{site}`: the building floor by floor, live from the stream. One
self-contained HTML file, nothing fetched from outside (sites may be offline). Kiosk URL:
`/board/{site}?key=<a viewer key>`."""

from __future__ import annotations

import json
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["board"])
_PAGE = files("api").joinpath("board.html").read_text(encoding="utf-8")


@router.get("/board/{site}", response_class=HTMLResponse)
def board(site: str) -> HTMLResponse:
    escaped = site.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = _PAGE.replace("{{SITE_JSON}}", json.dumps(site).replace("<", "\\u003c"))
    return HTMLResponse(page.replace("{{SITE}}", escaped))

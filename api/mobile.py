"""The phone pages: `/m/{site}` (every floor as a row to tap) and `/m/{site}/floors/{level}`
(one floor: tasks against plan, parameters with limits and 24-hour charts, workers,
alerts, cranes), live from the stream. Signing in: `/m/{site}?key=K` once, or the form,
exchanges the key for a session cookie (api/sessions.py) and redirects to the same page
without the key. Nothing is fetched from outside the server."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.resources import files
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ConnDep, Session
from api.floors import site_or_404
from api.keys import ApiKey, find_key
from api.problems import Problem
from api.sessions import clear_cookie, end_session, find_session, set_cookie, start_session
from core.db import Connection

router = APIRouter(tags=["phone"], include_in_schema=False)
_FILES = files("api")
_STATIC = {
    "mobile.css": "text/css; charset=utf-8",
    "mobile.js": "text/javascript; charset=utf-8",
}
# The pages run only our own script and styles, and send no Referer (a first address
# carries the key).
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _template(name: str) -> str:
    return _FILES.joinpath(name).read_text(encoding="utf-8")


# The site's and a floor's page share their head (the context, the script, the styles).
_HEAD = _template("mobile_head.html")
_PAGES = {
    name: _template(f"mobile_{name}.html").replace("{{HEAD}}", _HEAD)
    for name in ("site", "floor", "sign_in")
}
_STATIC_TEXT = {name: _template(name) for name in _STATIC}  # read once, served often
# A page opened from another site, asked again from itself.
_AGAIN = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta http-equiv="refresh" content="0; url={{HERE}}"><title>SitePulse</title></head>'
    '<body><p><a href="{{HERE}}">Open the page</a></p></body></html>'
)


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (the last of each)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {name: values[-1] for name, values in parse_qs(body).items()}


FormDep = Annotated[dict[str, str], Depends(_form)]


@router.get("/m/static/{name}")
def static(name: str) -> Response:
    if name not in _STATIC:
        raise Problem(404, "Not found", f"no file {name!r}")
    return Response(
        _STATIC_TEXT[name],
        media_type=_STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/m/{site}", response_class=HTMLResponse)
def site_page(
    site: str, request: Request, conn: ConnDep, session: Session = None, key: str | None = None
) -> Response:
    return _serve(conn, request, site, None, session, key)


@router.get("/m/{site}/floors/{level}", response_class=HTMLResponse)
def floor_page(
    site: str,
    level: int,
    request: Request,
    conn: ConnDep,
    session: Session = None,
    key: str | None = None,
) -> Response:
    return _serve(conn, request, site, level, session, key)


@router.post("/m/{site}/sign-in")
def sign_in(site: str, request: Request, conn: ConnDep, form: FormDep) -> Response:
    """The form's key exchanged for a session; on to `next` (a page of this site)."""
    here = _address(site, None)
    after = form.get("next", "")
    if not after.startswith(here + "/") and after != here:
        after = here
    return _exchange(conn, request, site, form.get("key", "").strip(), after)


@router.post("/m/{site}/sign-out")
def sign_out(site: str, conn: ConnDep, session: Session = None) -> Response:
    if session:
        end_session(conn, session)
    response = RedirectResponse(_address(site, None), status_code=303, headers=_HEADERS)
    clear_cookie(response)
    return response


def _serve(
    conn: Connection,
    request: Request,
    site: str,
    level: int | None,
    session: str | None,
    key: str | None,
) -> Response:
    here = _address(site, level)
    if key is not None:
        return _exchange(conn, request, site, key, here)
    caller = find_session(conn, session) if session else None
    if caller is None and request.headers.get("sec-fetch-site") == "cross-site":
        # Opened from another site (a link in a message): the browser withholds a
        # SameSite=Strict cookie from that navigation, and from the redirect after a
        # sign-in it started. The page asks again from itself, which sends it.
        return HTMLResponse(_AGAIN.replace("{{HERE}}", _html(here)), headers=_HEADERS)
    if caller is None:
        note = "Your session has ended: sign in again." if session else ""
        return _sign_in_page(site, here, note, 200)
    try:
        found = site_or_404(conn, site)
    except Problem as exc:
        return _sign_in_page(site, here, str(exc.detail), 404)
    context = {"site": site, "name": found.name, "level": level, "role": caller.role}
    return _page("floor" if level is not None else "site", found.name, context, 200)


def _exchange(conn: Connection, request: Request, site: str, key: str, after: str) -> Response:
    """The key for a session cookie, and on to `after` without the key (a 303: the keyed
    address never becomes a page, so it stays out of the tab's history)."""
    found: ApiKey | None = find_key(conn, key) if key else None
    if found is None:
        return _sign_in_page(site, after, "Unknown or revoked key.", 401)
    response = RedirectResponse(after, status_code=303, headers=_HEADERS)
    set_cookie(response, start_session(conn, found), secure=request.url.scheme == "https")
    return response


def _sign_in_page(site: str, after: str, note: str, status: int) -> Response:
    return _page("sign_in", site, {"site": site, "after": after, "note": note}, status)


def _page(name: str, title: str, context: Mapping[str, object], status: int) -> HTMLResponse:
    data = json.dumps(context).replace("<", "\\u003c").replace(">", "\\u003e")
    page = (
        _PAGES[name]
        .replace("{{TITLE}}", _html(title))
        .replace("{{SITE}}", _html(str(context.get("site", ""))))
        .replace("{{HOME}}", _html(_address(str(context.get("site", "")), None)))
        .replace("{{AFTER}}", _html(str(context.get("after", ""))))
        .replace("{{NOTE}}", _html(str(context.get("note", ""))))
        .replace("{{CONTEXT}}", data)
    )
    return HTMLResponse(page, status_code=status, headers=_HEADERS)


def _address(site: str, level: int | None) -> str:
    path = f"/m/{quote(site, safe='')}"
    return path if level is None else f"{path}/floors/{level}"


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )

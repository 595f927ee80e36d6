"""Signing in on a phone: a key exchanged once for an HttpOnly, SameSite=Strict session
cookie that stands for the key wherever a key is accepted; sign-out, expiry, and a
session dying with its key. The bearer path is unchanged."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.keys import Role, create_key, revoke_key
from api.sessions import COOKIE
from core.db import Connection
from sites.site_file import SiteFile
from tests.helpers import rows


def _alert(conn: Connection, site: str) -> int:
    (found,) = rows(
        conn,
        "INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message,"
        " opened_at, raised_at, last_breach_at, floor) VALUES (%s, 'workers.hazard_zone',"
        " 'tag-0001', 'active', 'major', 'Worker in a hazard zone', 'Li Wei in f2-shaft',"
        " now(), now(), now(), 2) RETURNING id",
        site,
    )
    return int(found[0])


def sign_in(client: TestClient, conn: Connection, site: str, role: Role) -> tuple[int, str]:
    """Open the page with ?key= as a link would; the key's id and the Set-Cookie header."""
    key, secret = create_key(conn, f"phone {role}", role)
    response = client.get(f"/m/{site}/floors/2", params={"key": secret}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/m/{site}/floors/2"  # the same page, no key
    assert response.headers["referrer-policy"] == "no-referrer"
    return key.id, response.headers["set-cookie"]


@pytest.fixture
def site(loaded_site: SiteFile) -> str:
    return loaded_site.site.id


def test_a_key_in_the_address_becomes_an_httponly_strict_session_cookie(
    client: TestClient, conn: Connection, site: str
) -> None:
    _, cookie = sign_in(client, conn, site, "viewer")
    assert re.match(rf"{COOKIE}=[\w-]{{40,}};", cookie), cookie
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/", "max-age=43200"} <= flags
    assert "secure" not in flags  # plain HTTP here; set when served over HTTPS
    (stored,) = rows(conn, "SELECT count(*) FROM sessions")[0]
    assert stored == 1
    token = cookie.split(";")[0].split("=", 1)[1]
    assert rows(conn, "SELECT count(*) FROM sessions WHERE token_sha256 = sha256(%s::bytea)",
                token.encode()) == [(1,)]  # fmt: skip

    # the cookie stands for the key: pages, the API, the stream's key check
    page = client.get(f"/m/{site}")
    assert page.status_code == 200
    assert 'data-page="site"' in page.text
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 200
    assert client.get(f"/api/v1/sites/{site}/progress").status_code == 200


def test_without_a_session_the_page_asks_for_the_key(client: TestClient, site: str) -> None:
    page = client.get(f"/m/{site}/floors/2")
    assert page.status_code == 200
    assert 'action="/m/' + site + '/sign-in"' in page.text
    assert f'name="next" value="/m/{site}/floors/2"' in page.text
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 401
    refused = client.get(f"/m/{site}", params={"key": "sp_not-a-key"})
    assert refused.status_code == 401
    assert "Unknown or revoked key." in refused.text
    assert "set-cookie" not in refused.headers


def test_the_sign_in_form_and_sign_out(client: TestClient, conn: Connection, site: str) -> None:
    _, secret = create_key(conn, "phone", "viewer")
    response = client.post(
        f"/m/{site}/sign-in",
        data={"key": secret, "next": f"/m/{site}/floors/3"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/m/{site}/floors/3"
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 200
    # `next` only ever leads to this site's pages
    elsewhere = client.post(
        f"/m/{site}/sign-in",
        data={"key": secret, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == f"/m/{site}"

    out = client.post(f"/m/{site}/sign-out", follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == f"/m/{site}"
    assert f'{COOKIE}=""' in out.headers["set-cookie"]
    assert rows(conn, "SELECT count(*) FROM sessions") == [(1,)]  # the other sign-in's
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 401


def test_a_session_ends_when_it_expires_and_with_its_key(
    client: TestClient, conn: Connection, site: str
) -> None:
    key_id, _ = sign_in(client, conn, site, "viewer")
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 200
    conn.execute(
        "UPDATE sessions SET created_at = now() - interval '13 hours',"
        " expires_at = now() - interval '1 hour'"
    )
    response = client.get(f"/api/v1/sites/{site}/floors")
    assert response.status_code == 401
    assert response.json()["detail"] == "the session has ended: sign in again"
    page = client.get(f"/m/{site}")
    assert "Your session has ended: sign in again." in page.text

    client.cookies.clear()
    sign_in(client, conn, site, "viewer")  # a new one; starting it drops the expired
    assert rows(conn, "SELECT count(*) FROM sessions") == [(1,)]
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 200
    newest, _ = sign_in(client, conn, site, "viewer")
    assert revoke_key(conn, newest)
    assert client.get(f"/api/v1/sites/{site}/floors").status_code == 401
    assert key_id != newest


def test_a_viewer_session_reads_and_a_manager_session_also_acknowledges(
    client: TestClient, conn: Connection, site: str
) -> None:
    alert = _alert(conn, site)
    sign_in(client, conn, site, "viewer")
    refused = client.post(f"/api/v1/alerts/{alert}/ack")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this needs the manager role; the key is viewer"

    client.cookies.clear()
    sign_in(client, conn, site, "manager")
    done = client.post(f"/api/v1/alerts/{alert}/ack")
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["acknowledged_by"]) == (
        "acknowledged",
        "key:phone manager",
    )


def test_a_bearer_key_is_checked_as_before_whatever_the_cookie(
    client: TestClient, conn: Connection, site: str
) -> None:
    sign_in(client, conn, site, "manager")
    bad = client.get(f"/api/v1/sites/{site}/floors", headers={"Authorization": "Bearer sp_x"})
    assert bad.status_code == 401
    assert bad.json()["detail"] == "unknown or revoked API key"
    _, viewer = create_key(conn, "bearer viewer", "viewer")
    alert = _alert(conn, site)
    as_viewer = client.post(
        f"/api/v1/alerts/{alert}/ack", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert as_viewer.status_code == 403  # the bearer key's role, not the session's

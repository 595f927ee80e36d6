"""`sitepulse api`: the HTTP API (JSON under /api/v1, RFC 9457 errors, OpenAPI at /docs)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import (
    alerts,
    board,
    daily_log,
    dead_letters,
    floor_detail,
    floor_plan,
    floors,
    labor,
    lifts,
    metrics,
    mobile,
    problems,
    progress,
    quality,
    readings,
    registry,
    rules,
    stream,
    tasks,
)
from core.db import create_pool
from core.errors import SitePulseError
from core.migrate import check_ready
from core.settings import Settings

# In the order the OpenAPI page lists them.
ROUTES = (
    floors, registry, readings, labor, dead_letters, alerts, rules, quality, stream, board,
    metrics, tasks,
    floor_plan,
    floor_detail,
    progress,
    mobile,
    lifts,
    daily_log,
)  # fmt: skip


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = create_pool(settings, min_size=1, max_size=10)
        with pool.connection() as conn:
            check_ready(conn)
        app.state.pool = pool
        app.state.settings = settings
        # What start-up made lives as long as the app: out of the collector's full passes,
        # which otherwise walk all of it (50-100 ms here) every hundred or so large answers.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            pool.close()

    app = FastAPI(title="SitePulse", version="0.1.0", lifespan=lifespan)
    problems.install(app)
    for module in ROUTES:
        app.include_router(module.router)

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> JSONResponse:
        try:
            with request.app.state.pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")
        except SitePulseError:
            return problems.problem_response(503, "Unavailable", "the database cannot be reached")
        return JSONResponse({"status": "ok"})

    return app

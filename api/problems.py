"""Errors as RFC 9457 problem details, each naming what was wrong."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from core.errors import DatabaseUnavailable

PROBLEM = "application/problem+json"


class Problem(HTTPException):
    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(status, detail)
        self.title = title
        self.extra = extra


def problem_response(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status_code, exc.title, str(exc.detail), **exc.extra)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return problem_response(exc.status_code, _title(exc.status_code), str(exc.detail))

    @app.exception_handler(DatabaseUnavailable)
    async def _unavailable(_request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return problem_response(503, "Unavailable", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in error["loc"]),
                # our validators' messages, without pydantic's "Value error, "
                "detail": str(error["msg"]).removeprefix("Value error, "),
            }
            for error in exc.errors()
        ]
        names = ", ".join(e["field"] for e in errors)
        return problem_response(
            422, "Invalid request", f"invalid {names}: {errors[0]['detail']}", errors=errors
        )


def _title(status: int) -> str:
    return {401: "Unauthorized", 403: "Forbidden", 404: "Not found"}.get(status, "Error")

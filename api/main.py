"""FastAPI application: REST under /v1, typed errors mapped to HTTP with a machine-readable reason."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.routes import audiences, campaigns, compliance, h5, health, kb, reviews, script_view, voicebot
from core.db import migrate
from core.llm import LLMUnavailable
from tools.campaign_api.errors import WorkflowError


def create_app(*, run_migrations: bool = True) -> FastAPI:
    if run_migrations:
        migrate()
    app = FastAPI(
        title="Marketing Brain 营销大脑",
        version="0.1.0",
        description="Plan, draft, check, review and publish bank marketing; every output is human-reviewed.",
    )
    # Routers are matched in order: the voice-bot pull, the busiest route by far, is tried first (its paths
    # overlap no other router's).
    for module in (voicebot, health, campaigns, reviews, script_view, compliance, kb, audiences, h5):
        app.include_router(module.router)
    app.add_exception_handler(WorkflowError, _workflow_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(LLMUnavailable, _llm_error)  # type: ignore[arg-type]
    return app


def create_worker_app() -> FastAPI:
    """App factory for each of several server processes: the parent has migrated the schema once already.

    Running the migration in every worker at start-up would race on the same database.
    """
    return create_app(run_migrations=False)


async def _workflow_error(_request: Request, exc: WorkflowError) -> JSONResponse:
    return JSONResponse(status_code=exc.status, content={"reason": exc.code, "detail": exc.message})


async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    body: Any = exc.detail if isinstance(exc.detail, dict) else {"reason": "http_error", "detail": exc.detail}
    return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    return JSONResponse(
        status_code=422,
        content={"reason": "invalid_request", "detail": f"{where}: {first['msg']}", "errors": problems},
    )


async def _llm_error(_request: Request, exc: LLMUnavailable) -> JSONResponse:
    return JSONResponse(status_code=503, content={"reason": "llm_unavailable", "detail": str(exc)})

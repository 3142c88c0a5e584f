"""The FastAPI application: middleware, error pages, and every capability's router."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from mindbridge.access import views as access_views
from mindbridge.accounts import views as accounts_views
from mindbridge.alerts import views as alerts_views
from mindbridge.assessments import views as assessments_views
from mindbridge.audit import views as audit_views
from mindbridge.care import views as care_views
from mindbridge.checkins import views as checkins_views
from mindbridge.companion import views as companion_views
from mindbridge.consent import views as consent_views
from mindbridge.insights import views as insights_views
from mindbridge.intake import views as intake_views
from mindbridge.journal import views as journal_views
from mindbridge.kit.errors import MindbridgeError
from mindbridge.notifications import views as notifications_views
from mindbridge.recommender import views as recommender_views
from mindbridge.retention import views as retention_views
from mindbridge.runtime import Runtime, runtime
from mindbridge.safetyplan import views as safetyplan_views
from mindbridge.scheduling import views as scheduling_views
from mindbridge.signals import views as signals_views
from mindbridge.web import api
from mindbridge.web.rendering import redirect, render, wants_html
from mindbridge.web.security import LoginRequired, MfaRequired, UnitOfWork, csrf_protect
from mindbridge.workspace import views as workspace_views

STATIC = Path(__file__).resolve().parent / "static"
ROUTERS = (
    api.router,
    accounts_views.router,
    workspace_views.router,
    consent_views.router,
    audit_views.router,
    access_views.router,
    care_views.router,
    notifications_views.router,
    scheduling_views.router,
    assessments_views.router,
    alerts_views.router,
    safetyplan_views.router,
    companion_views.router,
    checkins_views.router,
    journal_views.router,
    insights_views.router,
    signals_views.router,
    recommender_views.router,
    intake_views.router,
    retention_views.router,
)


def _kick() -> None:
    from mindbridge.jobs import worker

    worker.kick()


def create_app(rt: Runtime | None = None, *, kick: Callable[[], None] | None = None) -> FastAPI:
    rt = rt or runtime()
    app = FastAPI(
        title="mindbridge",
        version="0.1.0",
        description="Blended-care mental-health platform. API under /api/v1 (bearer tokens).",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.runtime = rt
    app.add_middleware(UnitOfWork, rt=rt, kick=kick or _kick)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect("/login?next=" + quote(target))

    @app.exception_handler(MfaRequired)
    async def _mfa(request: Request, exc: MfaRequired) -> Response:
        return redirect("/mfa/setup" if exc.setup else "/mfa")

    @app.exception_handler(MindbridgeError)
    async def _domain(request: Request, exc: MindbridgeError) -> Response:
        return _error(request, exc.status_code, exc.message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return _error(request, 422, "Some of what was sent isn't valid. Go back and check.")
        return JSONResponse({"detail": exc.errors()}, status_code=422)

    return app


def _error(request: Request, status: int, message: str) -> Response:
    if wants_html(request):
        return render(
            request,
            "error.html",
            {
                "status": status,
                "message": message,
                "title": "Not found" if status == 404 else "Error",
            },
            status=status,
        )
    return JSONResponse({"detail": message}, status_code=status)

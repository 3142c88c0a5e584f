"""Server-rendered pages: one Jinja environment over every capability's `templates/` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from mindbridge.runtime import Runtime
from mindbridge.web.security import CSRF_COOKIE, csrf_token

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_ROOT / "web" / "templates")]
    dirs += sorted(str(p) for p in PACKAGE_ROOT.glob("*/templates") if p.parent.name != "web")
    return dirs


env = Environment(
    loader=ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()]),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    rt: Runtime = request.app.state.runtime
    ctx: dict[str, Any] = {
        "request": request,
        "user": request.state.user,
        "csrf_token": csrf_token(request, rt),
        "mfa_off": not rt.settings.require_mfa,
        "title": "mindbridge",
    }
    ctx.update(context or {})
    html = env.get_template(name).render(ctx)
    response = HTMLResponse(html, status_code=status)
    set_csrf_cookie(request, response, rt)
    return response


def set_csrf_cookie(request: Request, response: Any, rt: Runtime) -> None:
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        response.set_cookie(
            CSRF_COOKIE, new_cookie, httponly=True, samesite="lax", secure=rt.settings.cookie_secure
        )


def redirect(url: str, *, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "text/html"
    )

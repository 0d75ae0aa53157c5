"""Signing in with the access token (slowed down after wrong ones), and signing out on every server."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse

from generator.web import credentials
from generator.web.credentials import SESSION_COOKIE
from generator.web.desk import check_csrf, desk, page, refused
from generator.web.sessions import MAX_AGE


def _local(target: str) -> str:
    """A page of this site to go back to after signing in: a path, never another site."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


async def login(request: Request):
    shared = desk(request)
    if not shared.token:  # nothing to sign in to
        return RedirectResponse("/", status_code=303)
    assert shared.sessions is not None  # made whenever there is a token
    if request.method == "GET":
        return page(request, "login.html", next=_local(request.query_params.get("next", "/")))
    form = await request.form()
    await check_csrf(request, form)
    given, back = str(form.get("token", "")), _local(str(form.get("next", "/")))
    verdict = credentials.judge(request, shared.limiter, shared.token, shared.sessions, form_token=given)
    if not verdict.ok:  # counted with wrong tokens sent any other way
        return refused(request, verdict, "login.html", next=back)
    response = RedirectResponse(back, status_code=303)
    # Lax, so a link from e-mail or e-Nothi to a submission finds the clerk signed in; forms stay
    # protected by their CSRF token
    response.set_cookie(SESSION_COOKIE, shared.sessions.new(), max_age=MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request):
    form = await request.form()
    await check_csrf(request, form)
    shared = desk(request)
    if shared.sessions is not None:
        shared.sessions.end(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login" if shared.token else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

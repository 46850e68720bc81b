"""Pages of the analysts: an app's home with its menu, the form designer and its preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from jimu.platform.deps import SessionDep
from jimu.platform.errors import request_locale
from jimu.platform.schemas import KEY_PATTERN
from jimu.platform.web import context
from jimu.platform.web.fieldtypes import palette
from jimu.platform.web.layout import blocks
from jimu.platform.web.messages import browser_words
from jimu.platform.web.render import PageUser, not_found, render

router = APIRouter(include_in_schema=False)
AppKey = Annotated[str, PathParam(pattern=KEY_PATTERN)]
FormKey = Annotated[str, PathParam(pattern=KEY_PATTERN)]


@router.get("/apps/{app}", response_class=HTMLResponse)
def app_home(request: Request, session: SessionDep, user: PageUser, app: AppKey) -> Response:
    """An app's home: its menu, its forms, and for admins the menu editor."""
    page = context.app_page(session, app, user)
    if page is None:
        return not_found(request, user)
    return render(
        request, "shell/app.html", user, app=page.app, menu=page.menu, app_admin=page.app_admin
    )


@router.get("/apps/{app}/forms/{form}/design", response_class=HTMLResponse)
def designer_page(
    request: Request, session: SessionDep, user: PageUser, app: AppKey, form: FormKey
) -> Response:
    """The form designer: palette, canvas, properties (the app's admins)."""
    page = context.form_page(session, app, form, user, draft=True)
    if page is None or page.form is None or not page.app_admin:
        return not_found(request, user)
    locale = request_locale(request)
    others = [
        {
            "key": key,
            "name": spec.name.model_dump(),
            "fields": spec.model_dump(mode="json")["fields"],
        }
        for key, spec in (page.forms or {}).items()
    ]
    config = {
        "app": page.app.key,
        "form": page.form.key,
        "draft": page.form.draft,
        "published_version": page.form.published_version,
        "forms": others,
        "palette": palette(locale),
        "words": browser_words(locale, "forms"),
        "locale": locale,
    }
    return render(request, "forms/designer.html", user, app=page.app, form=page.form, config=config)


@router.get("/apps/{app}/forms/{form}/preview", response_class=HTMLResponse)
def preview_page(
    request: Request, session: SessionDep, user: PageUser, app: AppKey, form: FormKey
) -> Response:
    """The saved draft as an end user would fill it; nothing can be saved from here."""
    page = context.form_page(session, app, form, user, draft=True)
    if page is None or page.spec is None or not page.app_admin:
        return not_found(request, user)
    return render(
        request,
        "records/record_form.html",
        user,
        app=page.app,
        menu=page.menu,
        app_admin=True,
        spec=page.spec,
        blocks=blocks(page.spec),
        mode="preview",
        record_id=None,
        embed=True,
        words=browser_words(request_locale(request), "records"),
    )

"""Pages of the analysts: an app's home with its menu, the form designer and its preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from jimu.engines.errors import ValidationFailed
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.validate import validate_form
from jimu.platform.deps import SessionDep
from jimu.platform.errors import request_locale
from jimu.platform.schemas import KEY_PATTERN
from jimu.platform.web import context
from jimu.platform.web.fieldtypes import palette
from jimu.platform.web.layout import blocks
from jimu.platform.web.render import PageUser, messages, not_found, render

router = APIRouter(include_in_schema=False)
AppKey = Annotated[str, PathParam(pattern=KEY_PATTERN)]
FormKey = Annotated[str, PathParam(pattern=KEY_PATTERN)]


def formula_types(spec: FormSpec, forms: dict[str, FormSpec]) -> dict[str, str]:
    """Result types of a draft's formulas (row formulas as ``lines.subtotal``), if it is valid."""
    try:
        results = validate_form(spec, forms).results
    except ValidationFailed:
        return {}
    return {key: str(kind) for key, kind in results.items()}


@router.get("/apps/{app}", response_class=HTMLResponse)
def app_home(request: Request, session: SessionDep, user: PageUser, app: AppKey) -> Response:
    """An app's home: its menu, its forms, and for admins the menu editor."""
    page = context.app_page(session, app, user)
    if page is None:
        return not_found(request, user)
    words = messages(request_locale(request))
    return render(
        request,
        "app.html",
        user,
        app=page.app,
        menu=page.menu,
        app_admin=page.app_admin,
        words=words,
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
        "formula_types": formula_types(page.spec, page.forms or {}) if page.spec else {},
        "palette": palette(locale),
        "words": messages(locale),
        "locale": locale,
    }
    return render(request, "designer.html", user, app=page.app, form=page.form, config=config)


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
        "record_form.html",
        user,
        app=page.app,
        menu=page.menu,
        app_admin=True,
        spec=page.spec,
        blocks=blocks(page.spec),
        mode="preview",
        record_id=None,
        embed=True,
        words=messages(request_locale(request)),
    )

"""Pages of the end users: a form's record list, the form to fill, a record's detail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from jimu.platform.deps import SessionDep
from jimu.platform.errors import request_locale
from jimu.platform.org.models import User
from jimu.platform.schemas import IdPath
from jimu.platform.web import context
from jimu.platform.web.designer import AppKey, FormKey
from jimu.platform.web.layout import blocks
from jimu.platform.web.messages import browser_words
from jimu.platform.web.render import PageUser, not_found, render

router = APIRouter(include_in_schema=False)
FORM = "/apps/{app}/forms/{form}"


def _form_context(
    request: Request, session: Session, page: context.FormPage, **extra: Any
) -> dict[str, Any]:
    locale = request_locale(request)
    assert page.spec is not None
    assert page.form is not None
    return {
        "app": page.app,
        "menu": page.menu,
        "app_admin": page.app_admin,
        "perms": page.permissions(),
        "form": page.form,
        "spec": page.spec,
        "spec_json": page.spec.model_dump(mode="json"),
        "forms_json": {k: s.model_dump(mode="json") for k, s in (page.forms or {}).items()},
        "blocks": blocks(page.spec),
        "words": browser_words(locale, "records", "permissions"),
        "related": context.related_forms(session, page),
        **extra,
    }


def _open(
    request: Request, session: Session, user: User, app: str, form: str, action: str
) -> Response | context.FormPage:
    """The published form, or the page to show instead (not found, not published yet, or
    not allowed to ``action`` the form's records)."""
    page = context.form_page(session, app, form, user)
    if page is None:
        return not_found(request, user)
    if page.spec is None:
        return render(
            request,
            "records/unpublished.html",
            user,
            app=page.app,
            menu=page.menu,
            form=page.form,
            app_admin=page.app_admin,
        )
    if page.grant is not None and not page.grant.allows(action):
        response = render(
            request, "records/forbidden.html", user, app=page.app, menu=page.menu, app_admin=False
        )
        response.status_code = 403
        return response
    return page


@router.get(FORM, response_class=HTMLResponse)
def list_page(
    request: Request, session: SessionDep, user: PageUser, app: AppKey, form: FormKey
) -> Response:
    """A form's records: columns, sort, filters, search, paging, bulk actions, saved views."""
    page = _open(request, session, user, app, form, "view")
    if isinstance(page, Response):
        return page
    return render(
        request, "records/records_list.html", user, **_form_context(request, session, page)
    )


@router.get(FORM + "/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    app: AppKey,
    form: FormKey,
    embed: Annotated[bool, Query()] = False,
) -> Response:
    """The form to fill for a new record (``embed``: inside another form's dialog)."""
    page = _open(request, session, user, app, form, "create")
    if isinstance(page, Response):
        return page
    extra = _form_context(request, session, page, mode="new", record_id=None, embed=embed)
    return render(request, "records/record_form.html", user, **extra)


@router.get(FORM + "/records/{record_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    app: AppKey,
    form: FormKey,
    record_id: IdPath,
) -> Response:
    """The form filled with a record, to change it."""
    page = _open(request, session, user, app, form, "edit")
    if isinstance(page, Response):
        return page
    extra = _form_context(request, session, page, mode="edit", record_id=record_id, embed=False)
    return render(request, "records/record_form.html", user, **extra)


@router.get(FORM + "/records/{record_id}", response_class=HTMLResponse)
def detail_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    app: AppKey,
    form: FormKey,
    record_id: IdPath,
) -> Response:
    """A record: its fields by layout, related records, history and comments."""
    page = _open(request, session, user, app, form, "view")
    if isinstance(page, Response):
        return page
    extra = _form_context(request, session, page, record_id=record_id)
    return render(request, "records/record_detail.html", user, **extra)

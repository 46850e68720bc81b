"""The app admins' page of roles and permissions (应用权限 / 角色管理)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from jimu.form_engine import service as forms_service
from jimu.form_engine.spec import FormSpec
from jimu.platform.apps.models import App
from jimu.platform.deps import SessionDep
from jimu.platform.errors import request_locale
from jimu.platform.web import context
from jimu.platform.web.designer import AppKey
from jimu.platform.web.messages import browser_words
from jimu.platform.web.render import PageUser, not_found, render

router = APIRouter(include_in_schema=False)


def app_forms(session: Session, app: App) -> list[dict[str, Any]]:
    """The app's forms as their drafts say (what the permission API checks against): key,
    name and fields."""
    drafts = [FormSpec.model_validate(f.draft) for f in forms_service.list_forms(session, app.id)]
    return [
        {
            "key": spec.key,
            "name": spec.name.model_dump(),
            "fields": spec.model_dump(mode="json")["fields"],
        }
        for spec in drafts
    ]


@router.get("/apps/{app}/roles", response_class=HTMLResponse)
def roles_page(request: Request, session: SessionDep, user: PageUser, app: AppKey) -> Response:
    """The app's roles, their members and each form's permissions (the app's admins)."""
    page = context.app_page(session, app, user)
    if page is None or not page.app_admin:
        return not_found(request, user)
    locale = request_locale(request)
    config = {
        "app": page.app.key,
        "forms": app_forms(session, page.app),
        "words": browser_words(locale, "roles", "permissions"),
    }
    return render(
        request,
        "roles/roles.html",
        user,
        app=page.app,
        menu=page.menu,
        app_admin=True,
        roles_page=True,
        config=config,
    )

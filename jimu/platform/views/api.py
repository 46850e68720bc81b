"""Endpoints of saved views: ``/api/apps/{app}/forms/{form}/views``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from jimu.platform.apps.api import AppKey
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, SessionDep
from jimu.platform.forms.api import FormKey
from jimu.platform.permissions.service import require_member
from jimu.platform.records import form_runtime
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import MAX_ID
from jimu.platform.views import service
from jimu.platform.views.schemas import ViewCreate, ViewRead, ViewUpdate

router = APIRouter(tags=["views"], responses=PROBLEMS)
BASE = "/api/apps/{app}/forms/{form}/views"
ViewId = Annotated[int, Path(ge=1, le=MAX_ID, description="a saved view's id")]


def _context(
    app: AppKey, form: FormKey, user: CurrentUser, session: SessionDep
) -> service.ViewContext:
    """The form and the caller's standing in its app: members who may read its records (as
    the records API decides); the app's admins share views."""
    app_row = get_app(session, app)
    access = require_member(session, app_row, user)
    runtime = form_runtime(session, app_row, form)
    grant = access(runtime)
    grant.require("view")
    return service.ViewContext(runtime, user, access.app_admin, grant)


Context = Annotated[service.ViewContext, Depends(_context)]


@router.get(BASE, response_model=list[ViewRead])
def list_views(ctx: Context, session: SessionDep) -> list[ViewRead]:
    """Shared views and the caller's own."""
    return [ViewRead.model_validate(v) for v in service.list_views(session, ctx)]


@router.post(BASE, response_model=ViewRead, status_code=201)
def create_view(body: ViewCreate, ctx: Context, session: SessionDep) -> ViewRead:
    """Saves the current columns, sort and filter as a view (shared: the app's admins)."""
    return ViewRead.model_validate(service.create_view(session, ctx, body))


@router.patch(BASE + "/{view_id}", response_model=ViewRead)
def update_view(view_id: ViewId, body: ViewUpdate, ctx: Context, session: SessionDep) -> ViewRead:
    """Changes a view (its owner or an admin of the app)."""
    return ViewRead.model_validate(service.update_view(session, ctx, view_id, body))


@router.delete(BASE + "/{view_id}", status_code=204)
def delete_view(view_id: ViewId, ctx: Context, session: SessionDep) -> Response:
    """Deletes a view (its owner or an admin of the app)."""
    service.delete_view(session, ctx, view_id)
    return Response(status_code=204)

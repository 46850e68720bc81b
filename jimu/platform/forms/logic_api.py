"""The JsonLogic of a form's formulas and rules, for live evaluation in the form page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jimu.form_engine import service
from jimu.form_engine.runtime import load_runtime
from jimu.form_engine.spec import FormSpec
from jimu.platform.apps.api import AppKey
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, SessionDep
from jimu.platform.forms.api import FormKey
from jimu.platform.forms.logic import FormLogic, form_logic
from jimu.platform.permissions.service import require_app_admin, require_member
from jimu.platform.records import platform_tables
from jimu.platform.responses import PROBLEMS

router = APIRouter(tags=["forms"], responses=PROBLEMS)


@router.get("/api/apps/{app}/forms/{form}/logic", response_model=FormLogic)
def read_form_logic(
    app: AppKey,
    form: FormKey,
    user: CurrentUser,
    session: SessionDep,
    draft: Annotated[bool, Query(description="the draft (designers' preview)")] = False,
) -> FormLogic:
    """Formulas, visibility, required-when, defaults and validations as JsonLogic."""
    app_row = get_app(session, app)
    require_member(session, app_row, user)
    row = service.get_form(session, app_row.id, form)
    if draft:
        require_app_admin(session, app_row, user)
        drafts = {
            f.key: FormSpec.model_validate(f.draft) for f in service.list_forms(session, app_row.id)
        }
        return form_logic(drafts[form], drafts)
    runtime = load_runtime(session, app_row.key, row, platform_tables())
    return form_logic(runtime.spec, runtime.forms)

"""Looking up what an app page shows: the app, its menu, a form's spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jimu.engines.errors import JimuError
from jimu.form_engine import service as forms_service
from jimu.form_engine.runtime import load_runtime
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.platform.apps import service as apps_service
from jimu.platform.apps.menu import read_menu
from jimu.platform.apps.models import App
from jimu.platform.forms.api import platform_tables


@dataclass
class FormPage:
    """An app, its menu and one of its forms, as a page needs them."""

    app: App
    menu: Any
    form: Form | None = None
    spec: FormSpec | None = None
    forms: dict[str, FormSpec] | None = None


def app_page(session: Session, app_key: str) -> FormPage | None:
    """The app and its menu, or None if there is no such app."""
    try:
        app = apps_service.get_app(session, app_key)
    except JimuError:
        return None
    return FormPage(app=app, menu=read_menu(session, app))


def form_page(
    session: Session, app_key: str, form_key: str, *, draft: bool = False
) -> FormPage | None:
    """The app, its menu and a form's spec (published, or the draft); None if unknown."""
    page = app_page(session, app_key)
    if page is None:
        return None
    try:
        page.form = forms_service.get_form(session, page.app.id, form_key)
    except JimuError:
        return None
    if draft:
        page.forms = {
            f.key: FormSpec.model_validate(f.draft)
            for f in forms_service.list_forms(session, page.app.id)
        }
        page.spec = page.forms[form_key]
    elif page.form.published_version:
        runtime = load_runtime(session, page.app.key, page.form, platform_tables())
        page.spec, page.forms = runtime.spec, runtime.forms
    return page


def related_forms(page: FormPage) -> list[dict[str, Any]]:
    """Forms whose single relations point at this form (the record's 360° tabs)."""
    if page.spec is None or page.forms is None:
        return []
    found = []
    for other in page.forms.values():
        for f in other.fields:
            if getattr(f, "target_form", None) == page.spec.key and f.type == "relation":
                found.append(
                    {
                        "form": other.key,
                        "field": f.key,
                        "name": other.name.model_dump(),
                        "field_label": f.label.model_dump(),
                        "title_field": other.title_field,
                        "multiple": f.multiple,
                    }
                )
    return found

"""Looking up what an app page shows: the app, the user's rights in it, its menu, a form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jimu.engines.errors import JimuError
from jimu.form_engine import service as forms_service
from jimu.form_engine.access import FormGrant
from jimu.form_engine.runtime import load_runtime
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.platform.apps import service as apps_service
from jimu.platform.apps.menu import MenuItemRead, MenuRead, read_menu
from jimu.platform.apps.models import App
from jimu.platform.org.models import User
from jimu.platform.permissions.policy import Access
from jimu.platform.records import form_runtime, platform_tables


@dataclass
class FormPage:
    """An app, the user's rights in it, its menu and one of its forms, as a page needs them.

    Attributes:
        app_admin: the user may design the app (platform admin or the app's admin role).
        grant: the user's rights on the form's records (published forms only).
    """

    app: App
    access: Access
    menu: MenuRead
    form: Form | None = None
    spec: FormSpec | None = None
    forms: dict[str, FormSpec] | None = None
    grant: FormGrant | None = None

    @property
    def app_admin(self) -> bool:
        """Whether the user may design this app."""
        return self.access.app_admin

    def permissions(self) -> dict[str, Any]:
        """The form's actions and field modes for the page's scripts and templates."""
        if self.grant is None or self.spec is None:
            return {"actions": [], "fields": {}}
        return {
            "actions": sorted(self.grant.actions),
            "fields": {f.key: self.grant.mode(f.key) for f in self.spec.fields},
        }


def _viewable(session: Session, app: App, access: Access, menu: MenuRead) -> MenuRead:
    """The menu without the published forms the user may not read (admins see everything)."""
    if access.app_admin:
        return menu
    forms = {f.key: f for f in forms_service.list_forms(session, app.id)}

    def allowed(item: MenuItemRead) -> bool:
        if item.type != "form":
            return True  # links; the pages engines register check their own rights
        form = forms.get(item.key or "")
        if form is None or not form.published_version:
            return False
        runtime = load_runtime(session, app.key, form, platform_tables())
        return access(runtime).allows("view")

    items = []
    for item in menu.items:
        if item.type == "group":
            children = [c for c in item.children if allowed(c)]
            if children:
                items.append(item.model_copy(update={"children": children}))
        elif allowed(item):
            items.append(item)
    return MenuRead(items=items)


def app_page(session: Session, app_key: str, user: User) -> FormPage | None:
    """The app and its menu, or None if there is no such app or the user holds no role in it."""
    try:
        app = apps_service.get_app(session, app_key)
    except JimuError:
        return None
    access = Access(session, app, user)
    if not access.is_member:
        return None
    menu = _viewable(session, app, access, read_menu(session, app))
    return FormPage(app=app, access=access, menu=menu)


def form_page(
    session: Session, app_key: str, form_key: str, user: User, *, draft: bool = False
) -> FormPage | None:
    """The app, its menu and a form's spec (published, or the draft); None if unknown."""
    page = app_page(session, app_key, user)
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
        page.grant = page.access(runtime)
    return page


def _readable(session: Session, page: FormPage, form_key: str) -> bool:
    """Whether the user may read the records of another form of the app."""
    if page.app_admin:
        return True
    return page.access(form_runtime(session, page.app, form_key)).allows("view")


def related_forms(session: Session, page: FormPage) -> list[dict[str, Any]]:
    """Forms whose single relations point at this form (the record's 360° tabs), among those
    the user may read."""
    if page.spec is None or page.forms is None:
        return []
    found = []
    for other in page.forms.values():
        if other.key == page.spec.key or not _readable(session, page, other.key):
            continue
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

"""An app's menu: groups and items (forms now; reports and dashboards later), in order."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from jimu.engines.i18n import bilingual_error
from jimu.form_engine.store import forms_of_app
from jimu.platform.apps.models import App
from jimu.platform.schemas import Key, Label, StrictModel


class MenuEntry(StrictModel):
    """A group (with a label and items) or an item pointing at a form by key."""

    type: Literal["group", "form"]
    key: Key | None = None
    label: Label | None = None
    children: list[MenuEntry] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _shape(self) -> MenuEntry:
        if self.type == "group" and (self.label is None or self.key is not None):
            raise bilingual_error(
                "bad_group", "A group has a label and no key.", "分组需要名称，且没有标识。"
            )
        if self.type != "group" and (self.key is None or self.children):
            raise bilingual_error(
                "bad_item", "An item names a form by key.", "菜单项需要指向一个表单标识。"
            )
        if any(child.type == "group" for child in self.children):
            raise bilingual_error(
                "nested_group", "Groups cannot contain groups.", "分组内不能再包含分组。"
            )
        return self


class MenuWrite(StrictModel):
    """The whole menu, in order."""

    items: list[MenuEntry] = Field(max_length=500)


class MenuItemRead(BaseModel):
    """A menu entry with what people read; ``published`` tells whether a form can be used."""

    type: str
    key: str | None = None
    label: dict[str, str]
    published: bool = False
    children: list[MenuItemRead] = Field(default_factory=list)


class MenuRead(BaseModel):
    """The app's menu as shown: saved order, then forms not placed yet."""

    items: list[MenuItemRead]


def read_menu(session: Session, app: App) -> MenuRead:
    """The menu: the saved arrangement, unknown forms left out, new forms appended."""
    forms = {f.key: f for f in forms_of_app(session, app.id)}
    placed: set[str] = set()

    def item(entry: dict[str, Any]) -> MenuItemRead | None:
        form = forms.get(entry.get("key") or "")
        if form is None or form.key in placed:
            return None
        placed.add(form.key)
        name = form.draft.get("name", {})
        return MenuItemRead(
            type="form", key=form.key, label=name, published=bool(form.published_version)
        )

    items: list[MenuItemRead] = []
    for entry in app.menu or []:
        if entry.get("type") == "group":
            children = [c for c in (item(child) for child in entry.get("children", [])) if c]
            items.append(MenuItemRead(type="group", label=entry["label"], children=children))
        elif (found := item(entry)) is not None:
            items.append(found)
    items.extend(filter(None, (item({"key": key}) for key in forms)))
    return MenuRead(items=items)


def save_menu(session: Session, app: App, menu: MenuWrite) -> MenuRead:
    """Stores the menu's arrangement."""
    app.menu = [entry.model_dump(mode="json", exclude_none=True) for entry in menu.items]
    session.flush()
    return read_menu(session, app)

"""An app's menu: groups and items — forms, links, and the pages engines register (reports,
dashboards, the inbox) — in order."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator
from sqlalchemy.orm import Session

from jimu.engines.i18n import Text, bilingual_error, text
from jimu.form_engine.store import forms_of_app
from jimu.platform.apps.models import App
from jimu.platform.schemas import Key, Label, StrictModel

MENU_KINDS: dict[str, Text] = {
    "group": text("group", "分组"),
    "form": text("form", "表单"),
    "link": text("link", "链接"),
}


def register_menu_kind(kind: str, name: Text) -> None:
    """Lets an engine put its pages in app menus (``dashboard``, ``inbox``, ``report``):
    an item of ``kind`` names one of them by key. Called from the bootstrap."""
    MENU_KINDS[kind] = name


def safe_link(url: str) -> bool:
    """An http(s) address, or a path of this site: never ``javascript:``, ``//host`` or a
    backslash, whitespace or control character a browser would read past."""
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return not parts.scheme and not parts.netloc and url.startswith("/") and url[1:2] != "/"


class MenuEntry(StrictModel):
    """A group (a label and items), an item naming a form (or another kind's page) by key,
    or a link (a label and an address)."""

    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}$")]
    key: Key | None = None
    label: Label | None = None
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    children: list[MenuEntry] = Field(default_factory=list, max_length=500)

    @field_validator("type")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in MENU_KINDS:
            raise bilingual_error(
                "unknown_kind",
                f"Menu items are one of: {', '.join(MENU_KINDS)}.",
                f"菜单项类型只能是：{', '.join(MENU_KINDS)}。",
            )
        return kind

    @model_validator(mode="after")
    def _shape(self) -> MenuEntry:
        if self.type == "group" and (self.label is None or self.key is not None):
            raise bilingual_error(
                "bad_group", "A group has a label and no key.", "分组需要名称，且没有标识。"
            )
        if self.type == "link" and (self.label is None or self.url is None or self.key):
            raise bilingual_error(
                "bad_link", "A link has a label and an address.", "链接需要名称和地址。"
            )
        if self.type == "link" and not safe_link(self.url or ""):
            raise bilingual_error(
                "bad_url",
                "A link goes to an http(s) address or a path of this site (/...).",
                "链接地址须为 http(s) 网址或本站路径（/...）。",
            )
        if self.type not in ("group", "link") and (self.key is None or self.children):
            raise bilingual_error(
                "bad_item", "An item names a form by key.", "菜单项需要指向一个表单标识。"
            )
        if self.type != "group" and self.children:
            raise bilingual_error("bad_item", "Only groups hold items.", "只有分组可以包含菜单项。")
        if any(child.type == "group" for child in self.children):
            raise bilingual_error(
                "nested_group", "Groups cannot contain groups.", "分组内不能再包含分组。"
            )
        return self


class MenuWrite(StrictModel):
    """The whole menu, in order."""

    items: list[MenuEntry] = Field(max_length=500)


class MenuItemRead(BaseModel):
    """A menu entry with what people read; ``published`` tells whether a form can be used,
    ``url`` where a link goes."""

    type: str
    key: str | None = None
    label: dict[str, str]
    url: str | None = None
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
        if entry.get("type", "form") != "form":
            if entry.get("type") not in MENU_KINDS:
                return None  # a kind no engine of this version provides
            return MenuItemRead(
                type=entry["type"],
                key=entry.get("key"),
                label=entry.get("label") or {},
                url=entry.get("url"),
                published=True,
            )
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

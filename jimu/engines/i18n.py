"""Bilingual (zh-CN / en) messages that engines attach to errors and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "en"


@dataclass(frozen=True)
class Text:
    """A message in English and Chinese with named parameters filled in on rendering.

    Attributes:
        en: English template, ``str.format`` style.
        zh: Chinese template, same parameters.
        params: values for the placeholders.
    """

    en: str
    zh: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, locale: str) -> str:
        """Renders the message in ``locale`` (anything starting with ``zh`` is Chinese)."""
        template = self.zh if locale.lower().startswith("zh") else self.en
        params = {
            key: value.render(locale) if isinstance(value, Text) else value
            for key, value in self.params.items()
        }
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template

    def with_params(self, **params: Any) -> Text:
        """Returns a copy with more parameters."""
        return Text(self.en, self.zh, {**self.params, **params})


def text(en: str, zh: str, **params: Any) -> Text:
    """Builds a :class:`Text`."""
    return Text(en, zh, params)


def pick_locale(accept_language: str | None) -> str:
    """Chooses zh-CN or en from an Accept-Language header, by quality order."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def bilingual_error(code: str, en: str, zh: str) -> PydanticCustomError:
    """A pydantic validation error whose message exists in English and Chinese."""
    return PydanticCustomError(code, en, {"zh": zh})


class Label(BaseModel):
    """Words people read, in Chinese and English (at least one)."""

    model_config = ConfigDict(extra="forbid")

    zh: Annotated[str, StringConstraints(max_length=200)] = ""
    en: Annotated[str, StringConstraints(max_length=200)] = ""

    @model_validator(mode="after")
    def _one_language_at_least(self) -> Label:
        if not self.zh.strip() and not self.en.strip():
            raise bilingual_error(
                "label_required",
                "Give the label in Chinese (zh) or English (en).",
                "请填写中文（zh）或英文（en）名称。",
            )
        return self

    def pick(self, locale: str) -> str:
        """The label in ``locale``, else the other language."""
        first, second = (self.zh, self.en) if locale.startswith("zh") else (self.en, self.zh)
        return first or second

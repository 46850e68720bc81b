"""What counts as text: no lone UTF-16 surrogates (JSON's ``"\\ud800"``), which no database
and no UTF-8 response can hold; and the shared type of free-form JSON in request bodies."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

from jimu.engines.i18n import bilingual_error

# json.loads joins a proper surrogate pair into one character, so any left is a lone one
_SURROGATE = re.compile("[\ud800-\udfff]")
INVALID_TEXT_EN = "Not valid text: it contains a lone UTF-16 surrogate (\\ud800-\\udfff)."
INVALID_TEXT_ZH = "不是有效文本：包含孤立的 UTF-16 代理字符（\\ud800-\\udfff）。"


def is_valid_text(value: str) -> bool:
    """Whether a string can be stored and sent as UTF-8 (it holds no lone surrogate)."""
    return _SURROGATE.search(value) is None


def holds_invalid_text(value: Any) -> bool:
    """Whether a JSON value has a string (or an object key) that is not valid text."""
    if isinstance(value, str):
        return not is_valid_text(value)
    if isinstance(value, dict):
        return any(holds_invalid_text(k) or holds_invalid_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_invalid_text(v) for v in value)
    return False


def _valid_json_text(value: Any) -> Any:
    if holds_invalid_text(value):
        raise bilingual_error("invalid_text", INVALID_TEXT_EN, INVALID_TEXT_ZH)
    return value


# Free-form JSON in a request (a field's default, a filter condition's value): any JSON, but
# its strings must be text. Typed ``str`` fields with constraints refuse lone surrogates
# already (pydantic's ``string_unicode``); ``Any`` lets them through to the database.
JsonData = Annotated[Any, AfterValidator(_valid_json_text)]

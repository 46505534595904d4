"""UI strings go through gettext.

The message ids are the zh-CN source strings, so the UI speaks Chinese with no catalogue at all.
A second language is added as a catalogue `locale/<lang>/LC_MESSAGES/appraisal.mo` and
selected with APPRAISAL_LANGUAGE.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=8)
def translations(language: str | None = None) -> _gettext.NullTranslations:
    language = language or os.environ.get("APPRAISAL_LANGUAGE", "zh_CN")
    return _gettext.translation("appraisal", LOCALE_DIR, languages=[language], fallback=True)


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


_ = gettext

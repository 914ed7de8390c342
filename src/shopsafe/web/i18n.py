"""Languages of the pages: which one a request gets, its message catalogue, and formatting.

English is the source language of every message; German comes from
`locale/de/LC_MESSAGES/messages.po` (see CONTRIBUTING.md, "Translations"). The compiled
`messages.mo` is committed; if it is missing, the `.po` file is compiled in memory.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def supported(tag: str | None) -> str | None:
    """The supported language a BCP 47 tag asks for (`de-AT` → `de`), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most (RFC 9110 q-values), or None."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose(
    *,
    query: str | None,
    cookie: str | None,
    customer: str | None,
    accept_language: str | None,
) -> str:
    """`?lang=` first, then the language the visitor picked before (cookie), then the
    signed-in customer's own setting, then the browser's, then English."""
    for candidate in (query, cookie, customer):
        language = supported(candidate)
        if language:
            return language
    return from_accept_language(accept_language) or DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = folder / "messages.mo"
    if compiled.exists():
        with compiled.open("rb") as handle:
            return Translations(fp=handle)
    return compile_po(folder / "messages.po")


def compile_po(path: Path) -> Translations:
    """A `.po` file compiled in memory (used when the `.mo` file is missing)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def template_functions(language: str) -> dict[str, Any]:
    """`_`, `gettext` and `ngettext` for one request, in Jinja's "new style": variables are
    keyword arguments, and they are escaped when the template autoescapes."""
    catalogue = translations(language)

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text: str = catalogue.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text: str = catalogue.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "format_date": _bind(format_date, language),
        "format_datetime": _bind(format_datetime, language),
        "format_money": _bind(format_money, language),
    }


def _bind(function: Callable[..., str], language: str) -> Callable[..., str]:
    def bound(*args: Any) -> str:
        return function(*args, language=language)

    return bound


def format_date(value: dt.datetime | dt.date | None, *, language: str) -> str:
    if value is None:
        return ""
    return dates.format_date(value, format="long", locale=language)


def format_datetime(value: dt.datetime | None, *, language: str) -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, format="medium", tzinfo=dt.UTC, locale=language)


def format_money(amount: Decimal | None, currency: str, *, language: str) -> str:
    if amount is None:
        return ""
    return numbers.format_currency(amount, currency, locale=language)

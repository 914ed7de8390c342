"""The e-mails: a `Letter` (everything one message says) rendered with the templates in
`templates/email/<name>/` (subject.txt, body.txt, body.html) in the recipient's language.
The person's greeting, purchases (`_partials/purchases.*`) and link are rendered per letter
into a frame rendered once per recall, e-mail, language and role.

Pure: no database. Words come from `templates/email/lang/<language>.json`; a language we do
not have falls back to English, and a missing word falls back to the English one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "de")
EMAILS = ("notice", "reminder", "correction")
# The fields of a recall's notice that a translation may replace (recalls.schemas.Translation).
TRANSLATED = (
    "title",
    "product_name",
    "hazard",
    "instructions",
    "identifier_location",
    "sold_where",
)
# Every field the templates read (absent ones are None).
FIELDS = (*TRANSLATED, "brand", "risk_level", "remedies", "contact", "images")
CONTACT = ("phone", "email", "url")


@dataclass(frozen=True)
class Purchase:
    """One affected purchase as the recipient sees it. For a gift recipient only the product
    is known: no order number, no date, no units (and never a price for anyone)."""

    product: str
    order_number: str | None = None
    ordered_on: date | None = None
    units: int | None = None


@dataclass(frozen=True)
class Letter:
    """One e-mail: `email` is `notice`, `reminder` or `correction`; `recall_kind` is
    `recall` or `safety_warning`; `role` is `buyer`, `admin` or `gift_recipient`."""

    email: str
    recall_kind: str
    language: str
    role: str
    name: str | None
    content: Mapping[str, Any]
    purchases: tuple[Purchase, ...] = ()
    account_name: str | None = None
    link: str | None = None
    link_days: int = 60
    notified_on: date | None = None
    reminder_number: int = 0
    content_key: str | None = None  # digest of `content`, when the caller has it


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str
    headers: dict[str, str] = field(default_factory=dict)


def language_of(tag: str | None) -> str:
    """The language we write in for a BCP 47 tag: `de-AT` → `de`, `fr` → `en`."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


@cache
def _words(language: str) -> dict[str, str]:
    path = TEMPLATES / "email" / "lang" / f"{language}.json"
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def words(language: str) -> Mapping[str, str]:
    """The words of a language, each falling back to English."""
    if language == "en":
        return _words("en")
    return {**_words("en"), **_words(language)}


@lru_cache(maxsize=4096)
def long_date(day: date, language: str) -> str:
    return format_date(day, format="long", locale=language)


def localized(content: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The recall's notice in `language`: its translation's fields over the original."""
    result = {name: content.get(name) for name in FIELDS}
    translations = content.get("translations") or {}
    chosen = translations.get(language) if language != "en" else None
    if chosen:
        result.update({k: v for k, v in chosen.items() if k in TRANSLATED and v})
    return result


def _fmt(template: str, **values: Any) -> str:
    return template.format(**values)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["fmt"] = _fmt
    return env


def _heading(letter: Letter, t: Mapping[str, str]) -> str:
    kind = "safety_warning" if letter.recall_kind == "safety_warning" else "recall"
    if letter.email == "correction":
        return t["heading_correction"]
    if letter.email == "reminder":
        return t[f"heading_reminder_{kind}"]
    return t[f"heading_{kind}"]


# Personal parts are rendered per letter into these slots of a frame that is rendered once
# per recall, e-mail, language and role (a fan-out renders the same frame thousands of times).
SLOTS = {name: f"\x00{name}\x00" for name in ("greeting", "link", "purchases")}
FRAMES_KEPT = 256
_frames: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()
_frames_lock = threading.Lock()


def content_key(content: Mapping[str, Any]) -> str:
    """A digest of a recall's notice: frames of different content never mix."""
    canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def context(letter: Letter) -> dict[str, Any]:
    """What the frame templates see: everything but the personal parts, which are slots."""
    language = language_of(letter.language)
    t = words(language)
    content = localized(letter.content, language)
    kind = "safety_warning" if letter.recall_kind == "safety_warning" else "recall"
    role = letter.role if letter.role in ("buyer", "admin", "gift_recipient") else "buyer"
    account = letter.account_name or t["your_business"]
    return {
        "t": t,
        "language": language,
        "kind": kind,
        "role": role,
        "heading": _heading(letter, t),
        "greeting": SLOTS["greeting"],
        "intro": _fmt(t[f"intro_{role}_{kind}"], account=account),
        "account": account,
        "recall": content,
        "title": content["title"] or content["product_name"] or "",
        "risk": t.get(f"risk_{content['risk_level']}"),
        "remedies": [t.get(f"remedy_{r}", r) for r in content["remedies"] or []],
        "contact": {k: (content["contact"] or {}).get(k) for k in CONTACT},
        "image": (content["images"] or [None])[0],
        "link": SLOTS["link"] if letter.link else None,
        "link_days": letter.link_days,
        "purchase_list": SLOTS["purchases"],
        "notified_on": letter.notified_on,
        "reminder_number": letter.reminder_number,
        "date": lambda d: long_date(d, language) if d else "",
    }


def _frame(letter: Letter) -> Rendered:
    key = (
        letter.content_key or content_key(letter.content), letter.email, letter.recall_kind,
        language_of(letter.language), letter.role, letter.account_name, letter.link is None,
        letter.link_days, letter.notified_on, letter.reminder_number,
    )  # fmt: skip
    with _frames_lock:
        frame = _frames.get(key)
        if frame is not None:
            _frames.move_to_end(key)
            return frame
    env, values, folder = environment(), context(letter), f"email/{letter.email}"
    subject = env.get_template(f"{folder}/subject.txt").render(values)
    frame = Rendered(
        subject=" ".join(subject.split()),
        text=env.get_template(f"{folder}/body.txt").render(values).strip() + "\n",
        html=env.get_template(f"{folder}/body.html").render(values),
        language=values["language"],
    )
    with _frames_lock:
        _frames[key] = frame
        while len(_frames) > FRAMES_KEPT:
            _frames.popitem(last=False)
    return frame


def _personal(letter: Letter, suffix: str) -> dict[str, str]:
    language = language_of(letter.language)
    t = words(language)
    greeting = _fmt(t["greeting_named"], name=letter.name) if letter.name else t["greeting"]
    purchases = (
        environment()
        .get_template(f"email/_partials/purchases.{suffix}")
        .render(
            t=t,
            role=letter.role,
            account=letter.account_name or t["your_business"],
            purchases=letter.purchases,
            products=sorted({p.product for p in letter.purchases}),
            date=lambda d: long_date(d, language) if d else "",
        )
    )
    values = {"greeting": greeting, "link": letter.link or "", "purchases": purchases.strip()}
    if suffix == "html":
        values["greeting"] = str(escape(greeting))
        values["link"] = str(escape(values["link"]))
    return values


def _fill(frame: str, values: dict[str, str]) -> str:
    for name, slot in SLOTS.items():
        if slot in frame:
            frame = frame.replace(slot, values[name])
    return frame


def render(letter: Letter) -> Rendered:
    if letter.email not in EMAILS:
        raise ValueError(f"no e-mail called {letter.email!r}")
    frame = _frame(letter)
    return Rendered(
        subject=frame.subject,
        text=_fill(frame.text, _personal(letter, "txt")),
        html=_fill(frame.html, _personal(letter, "html")),
        language=frame.language,
    )

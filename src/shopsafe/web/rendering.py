"""Jinja2 environment shared by all pages; text goes through gettext from the start."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"


def make_templates(*extra: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=[TEMPLATES, *extra])
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return templates

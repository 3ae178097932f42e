"""`Pages.render` empties every template context a page made once the page is written (tests/web/test_pages.py
checks a page's rows are freed at once); that is only safe while no template imports a cached module."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "tradewind" / "web" / "templates"


def test_every_import_in_the_templates_is_made_with_the_pages_context() -> None:
    # An import without context is a module Jinja caches across pages: emptying its context would break it.
    for path in TEMPLATES.glob("*.html"):
        for statement in re.findall(r"{%-?\s*(?:from|import)\s[^%]*%}", path.read_text()):
            assert "with context" in statement, f"{path.name}: {statement}"

"""Japanese and English UI with Flask-Babel; the user's choice is remembered.

Choice order: the signed-in user's saved language, then the ``envalue_lang`` cookie,
then the browser's Accept-Language, then English. The catalogs are ``.po`` files in
``translations/``; the compiled ``.mo`` beside them is committed and rebuilt here when
missing or older than its ``.po`` (so a fresh clone and an edited catalog both work).

Adding strings: mark them with ``_()`` (templates, views) or ``_l()`` (forms), then

    cd webapp && pybabel extract -F babel.cfg -k _l -o translations/messages.pot \
        --no-location --omit-header . && pybabel update -i translations/messages.pot \
        -d translations

and translate the new entries in ``translations/ja/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel

__all__ = ["LANGUAGE_COOKIE", "LANGUAGES", "compile_catalogs", "init_app", "select_locale"]

LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語"}
LANGUAGE_COOKIE = "envalue_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
log = logging.getLogger(__name__)


def compile_catalogs(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or stale; return those written."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        try:
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog)
        except OSError as exc:  # a read-only install keeps the committed .mo
            log.warning("cannot write %s: %s", mo_path, exc)
            continue
        written.append(mo_path)
    return written


def select_locale() -> str:
    """The language for this request (see the module docstring)."""
    user = g.get("user")
    if user is not None and user.language in LANGUAGES:
        return str(user.language)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Tokyo")
    Babel(app, locale_selector=select_locale)

"""The words countypath prints live in one catalogue (app/locales/messages.yaml), so a new
language is an edit of the catalogue and the seeds, not of the modules that print."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.api.routes.page import _page_words
from app.domain.knowledge import LANGS
from app.domain.messages import catalogue
from app.domain.snapshot import Snapshot
from tests.unit.syntax import docstrings

APP = Path(__file__).resolve().parents[2] / "app"
CHINESE = re.compile(r"[\u3400-\u9fff]")
# Chinese that is not wording: English documentation or error messages that quote a Chinese column name a workbook may use, and the
# endings of official unit names that the division table's parser reads.
ALLOWED = {
    "api/batch_formats.py": (
        "地区生产总值（亿元）",
        "县名",
        "代码",
        "省份",
        "年份",
        "暂缺",
        "警示",
    ),
    "domain/plan_types.py": ("县发展和改革局",),
    "schemas/result.py": ("`F (备注)`",),
    "services/tables.py": ("(or 县名)",),
    # The suffixes and level names of the ministry's division table: data the parser reads.
    "domain/divisions.py": ("自治县", "自治旗", "特区", "林区", "旗", "县", "市", "区"),
    "reference/refresh.py": ("县级", "直辖"),
}


def _python_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


@pytest.mark.parametrize("module", _python_files(), ids=lambda p: str(p.relative_to(APP)))
def test_no_chinese_wording_in_code(module: Path) -> None:
    name = str(module.relative_to(APP))
    tree = ast.parse(module.read_text(encoding="utf-8"))
    prose = docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in prose or not CHINESE.search(node.value):
            continue
        allowed = ALLOWED.get(name, ())
        assert any(part in node.value for part in allowed), (
            f"{name}:{node.lineno} writes {node.value!r}; put it in app/locales/messages.yaml"
        )


@pytest.mark.parametrize("module", _python_files(), ids=lambda p: str(p.relative_to(APP)))
def test_no_table_of_words_by_language(module: Path) -> None:
    """A dict keyed by every language is a word table that belongs in the catalogue (the DOCX
    fonts and other typography too: ``languages`` there)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            assert not set(LANGS) <= keys, f"{module.name}:{node.lineno} is a table by language"


@pytest.mark.parametrize("template", sorted((APP / "templates").glob("*.j2")), ids=lambda p: p.name)
def test_templates_ask_the_catalogue(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not CHINESE.search(text)
    assert "lang ==" not in text, "a template that branches on the language writes words itself"


@pytest.mark.parametrize("asset", ["index.html", "app.js"])
def test_the_page_takes_its_words_from_the_catalogue(asset: str) -> None:
    text = (APP / "static" / asset).read_text(encoding="utf-8")
    assert not CHINESE.search(text)
    assert '=== "zh"' not in text


def test_every_section_speaks_every_language() -> None:
    for section, messages in catalogue().items():
        for name, texts in messages.items():
            assert set(texts) == set(LANGS), f"{section}.{name}"


def test_every_word_the_page_asks_for_is_embedded(snapshot: Snapshot) -> None:
    """Each ``t.word`` / ``TEXT[lang].word`` of app.js and each ``data-i18n`` of index.html is a
    word the server embeds in every language (an unknown one would print "undefined")."""
    script = (APP / "static" / "app.js").read_text(encoding="utf-8")
    html = (APP / "static" / "index.html").read_text(encoding="utf-8")
    asked = set(re.findall(r"\b(?:t|TEXT\[lang\])\.(\w+)", script))
    asked |= set(re.findall(r'data-i18n="(\w+)"', html))
    asked |= set(re.findall(r'\bt\["(\w+)"\]', script))
    assert {"plan", "list_separator", "fact_choices", "not_declared"} <= asked
    for lang in LANGS:
        embedded = _page_words(snapshot, lang)
        assert asked <= set(embedded), (lang, asked - set(embedded))
        assert all(isinstance(v, str) for k, v in embedded.items() if k in asked - NESTED)


NESTED = {"dims", "status_words", "families", "fact_choices"}

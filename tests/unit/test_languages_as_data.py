"""A language is data: a catalogue entry and the seed texts. A made-up language added to copies of
the catalogue and the seeds gets its words back from the engine with no code changed, and no
code branches on a language."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.domain.language import chain, codes, parse_languages, raw_catalogue, read_in
from tests.unit.syntax import docstrings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MADE_UP = "x-test"

# A value naming a language in code is a branch on it; the one kept is the example value of
# the ``lang`` query parameter in the published API description.
EXAMPLES = {("api/deps.py", "zh")}
BRANCH = re.compile(r"""[=!]==?\s*["'](en|zh)["']|["'](en|zh)["']\s*[=!]==?""")


@pytest.mark.parametrize("module", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_no_code_names_a_language(module: Path) -> None:
    """No comparison with a language code, no ``.en``/``.zh`` pick, no ``Literal["en", "zh"]``:
    every language code in code outside docstrings and comments is a branch to move to data."""
    name = str(module.relative_to(APP))
    tree = ast.parse(module.read_text(encoding="utf-8"))
    prose = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in codes(), f"{name}:{node.lineno} picks .{node.attr}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in prose or (name, node.value) in EXAMPLES:
                continue
            named = node.value in codes() or node.value.startswith(tuple(f"{c}-" for c in codes()))
            assert not named, f"{name}:{node.lineno} names the language {node.value!r}"


def test_no_branch_on_a_language_anywhere_in_app() -> None:
    """A plain search over every source and template, docstrings included."""
    found = [
        f"{path.relative_to(APP)}:{n}: {line.strip()}"
        for path in sorted(APP.rglob("*"))
        if path.suffix in {".py", ".j2", ".js", ".html"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BRANCH.search(line)
    ]
    assert not found, "\n".join(found)


def test_fallbacks_are_data() -> None:
    entries = dict(raw_catalogue()["languages"])
    entries[MADE_UP] = entries[codes()[0]] | {"fallback": codes()[-1], "name": "Testish"}
    langs = parse_languages(entries)
    assert langs[-1].code == MADE_UP
    assert langs[-1].fallback == codes()[-1]
    assert langs[-1].matches("X-Test-Latn")
    assert not langs[-1].matches("x")
    assert chain("fr") == (codes()[0],)
    assert read_in({codes()[0]: "a"}, "fr") == "a"
    with pytest.raises(ValueError, match="unknown"):
        parse_languages(entries | {MADE_UP: entries[MADE_UP] | {"fallback": "nowhere"}})


def _catalogue_with_made_up_language(target: Path) -> None:
    """The catalogue with a language of its own: English words, a few of its own, its own
    sentence end, falling back to English for seed texts it is not given in."""
    data: dict[str, Any] = yaml.safe_load(
        (APP / "locales" / "messages.yaml").read_text(encoding="utf-8")
    )
    base = codes()[0]
    data["languages"][MADE_UP] = data["languages"][base] | {
        "name": "Testish",
        "fallback": base,
        "sentence_end": "!",
        "label_limit": 12,
    }
    for section, messages in data.items():
        if section != "languages":
            for texts in messages.values():
                texts[MADE_UP] = texts[base]
    data["status"]["flag"][MADE_UP] = "red-alarm"
    data["status"]["ok"][MADE_UP] = "all-fine"
    data["language"]["tag"][MADE_UP] = MADE_UP
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _seeds_with_made_up_titles(target: Path) -> None:
    """The seeds with every path's title given in the made-up language too."""
    shutil.copytree(ROOT / "seeds", target)
    for path in sorted((target / "paths").glob("*.yaml")):
        item = yaml.safe_load(path.read_text(encoding="utf-8"))
        item["title"][MADE_UP] = "T: " + item["title"][codes()[0]]
        path.write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")


SCRIPT = """
import json, sys
import orjson
from pathlib import Path

import app.domain.language as language

language.CATALOGUE = Path(sys.argv[1])  # before anything reads the catalogue

from app.api.i18n import content_language, negotiate
from app.domain.knowledge import LANGS, Text
from app.domain.messages import say
from app.domain.snapshot import compile_snapshot
from app.schemas.profile import RecommendationRequest
from app.services.seeding import load_seeds
from app.services.recommendations import recommendation

kb = load_seeds(Path(sys.argv[2]))
snap = compile_snapshot(kb, 1, kb.checksum())
deqing = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
body = RecommendationRequest.model_validate(deqing)
made_up, english = (
    orjson.loads(orjson.dumps(recommendation(snap, body, lang))) for lang in (sys.argv[4], LANGS[0])
)
text = Text.model_validate({"en": "farming", "zh": "农业", sys.argv[4]: "farmish"})
print(json.dumps({
    "langs": LANGS,
    "negotiated": negotiate("fr, x-test;q=0.8, zh;q=0.5"),
    "tag": content_language(sys.argv[4]),
    "flag": say("status", "flag", sys.argv[4]),
    "text": [text.get(sys.argv[4]), Text(en="a", zh="甲").get(sys.argv[4])],
    "made_up": made_up,
    "english": english,
}))
"""


def test_a_made_up_language_from_data_alone(tmp_path: Path) -> None:
    catalogue, seeds = tmp_path / "messages.yaml", tmp_path / "seeds"
    _catalogue_with_made_up_language(catalogue)
    _seeds_with_made_up_titles(seeds)
    deqing = ROOT / "examples" / "deqing-2024.json"
    args = [sys.executable, "-c", SCRIPT, str(catalogue), str(seeds), str(deqing), MADE_UP]
    run = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["langs"][-1] == MADE_UP
    assert out["negotiated"] == MADE_UP
    assert out["tag"] == MADE_UP
    assert out["flag"] == "red-alarm"
    assert out["text"] == ["farmish", "a"]  # its own text, else its fallback's
    made_up, english = out["made_up"], out["english"]
    assert made_up["language"] == MADE_UP
    first, first_en = made_up["recommendations"][0], english["recommendations"][0]
    assert first["title"] == "T: " + first_en["title"]  # a seed text given in the language
    assert first["summary"] == first_en["summary"]  # one it is not given in: the fallback's
    words = json.dumps(made_up["recommendations"], ensure_ascii=False)
    assert "(red-alarm)" in words
    assert "red-alarm" not in json.dumps(english)
    assert "! " in words
    assert "! " not in json.dumps(english["recommendations"])

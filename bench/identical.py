"""A digest of the engine's output over many profiles, to prove a refactoring changed no byte.

Every profile is hashed in the full view in English and Chinese and in the summary view, and
the first two hundred with the trace too.

Run it before and after a change that should not alter behaviour; the two digests must match.
The knowledge-base version is left out of the hashed results (``--keep-version`` keeps it), so a
change that only moves data around without altering it can be checked too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import orjson

from app.domain.snapshot import compile_snapshot
from app.schemas.profile import RecommendationRequest
from app.services.recommendations import recommendation
from app.services.seeding import load_seeds
from bench.profiles import synthetic_profiles

ROOT = Path(__file__).resolve().parent.parent


def _bodies(snap: Any, count: int) -> list[dict[str, Any]]:
    deqing = json.loads((ROOT / "examples" / "deqing-2024.json").read_text(encoding="utf-8"))
    scenario = deqing | {"scenario": {"indicators": {"foreign_trade_cny_100m": 480}}}
    return [deqing, scenario, *synthetic_profiles(snap, count)]


def digest(count: int = 1500, keep_version: bool = False) -> tuple[str, int]:
    kb = load_seeds(ROOT / "seeds")
    snap = compile_snapshot(kb, 1, kb.checksum())
    h = hashlib.sha256()
    n = 0
    for i, body in enumerate(_bodies(snap, count)):
        request = RecommendationRequest.model_validate(body)
        views = [("en", "full", False), ("zh", "full", False), ("en", "summary", False)]
        if i < 200:
            views.append(("en", "full", True))
        for lang, view, trace in views:
            try:
                result: Any = recommendation(snap, request, lang, view, trace)  # type: ignore[arg-type]
            except Exception as exc:  # an error is an outcome too; hash its text
                result = {"error": type(exc).__name__, "detail": str(exc)}
            if not isinstance(result, dict):  # a typed result: its JSON, read back
                result = orjson.loads(orjson.dumps(result))
            if not keep_version:
                result.pop("kb_version", None)
            h.update(orjson.dumps(result))
            n += 1
    return h.hexdigest(), n


if __name__ == "__main__":
    value, results = digest(keep_version="--keep-version" in sys.argv)
    print(f"{results} results, sha256 {value}")

"""seeds/ -> validate the whole set -> upsert by slug in one transaction -> record the version.

Validation happens item by item first, so a broken file is reported by file, item and field;
nothing touches the database until the whole set is known to be sound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Engine

from app.db.engine import write_session
from app.db.kb_repo import latest_version, record_version, write_kb
from app.domain.integrity import check_references
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    Indicator,
    KnowledgeBase,
    Meta,
    ReferenceCounty,
    Signal,
)
from app.domain.knowledge import (
    Path as KbPath,
)

FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "meta": ("meta.yaml", Meta),
    "indicators": ("indicators.yaml", Indicator),
    "benchmarks": ("benchmarks.yaml", Benchmark),
    "signals": ("signals.yaml", Signal),
    "challenges": ("challenges.yaml", Challenge),
    "paths": ("paths.yaml", KbPath),
    "examples": ("examples.yaml", Example),
    "reference_counties": ("reference_counties.yaml", ReferenceCounty),
}


class SeedError(Exception):
    """The seed set is not sound; ``problems`` names file, item and field for each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SeedOutcome:
    version: int
    checksum: str
    changed: bool


def _ident(raw: Any, index: int) -> str:
    if isinstance(raw, dict):
        for key in ("slug", "key"):
            if isinstance(raw.get(key), str):
                return f"{raw[key]!r} (#{index})"
    return f"#{index}"


def _field_errors(file: str, item: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(item)"
        out.append(f"{file}: item {item}: field {loc}: {err['msg']}")
    return out


def load_seeds(directory: Path) -> KnowledgeBase:
    """Read and validate every seed file; raise SeedError listing every problem found."""
    problems: list[str] = []
    parts: dict[str, Any] = {}
    for kind, (name, model) in FILES.items():
        path = directory / name
        label = f"seeds/{name}"
        if not path.is_file():
            problems.append(f"{label}: file missing")
            continue
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{label}: not valid YAML: {exc}")
            continue
        if kind == "meta":
            try:
                parts[kind] = Meta.model_validate(raw)
            except ValidationError as exc:
                problems += _field_errors(label, "meta", exc)
            continue
        if not isinstance(raw, list):
            problems.append(f"{label}: expected a list of items")
            continue
        adapter: TypeAdapter[Any] = TypeAdapter(model)
        items = []
        for index, entry in enumerate(raw):
            try:
                items.append(adapter.validate_python(entry))
            except ValidationError as exc:
                problems += _field_errors(label, _ident(entry, index), exc)
        parts[kind] = items
    if problems:
        raise SeedError(problems)
    kb = KnowledgeBase(**parts)
    issues = check_references(kb)
    if issues:
        raise SeedError(
            [
                f"seeds/{FILES[i.kind][0]}: item {i.item!r}: field {i.field}: {i.message}"
                for i in issues
            ]
        )
    return kb


def seed(engine: Engine, kb: KnowledgeBase, origin: str = "seed") -> SeedOutcome:
    """Store ``kb`` unless it is already the current version; one transaction either way."""
    checksum = kb.checksum()
    with write_session(engine) as session:
        current = latest_version(session)
        if current is not None and current.checksum == checksum:
            return SeedOutcome(current.number, checksum, changed=False)
        write_kb(session, kb)
        version = record_version(session, kb, origin)
        return SeedOutcome(version.number, checksum, changed=True)

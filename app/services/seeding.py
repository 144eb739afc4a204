"""seeds/ -> validate the whole set -> store it as a new version in one transaction.

Validation happens item by item first, so a broken file is reported by file, item and field;
nothing touches the database until the whole set is known to be sound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.domain.integrity import check_references
from app.domain.item_kinds import ITEM_KINDS
from app.domain.knowledge import KnowledgeBase, Meta
from app.services.ports import UnitOfWork

SINGLE_FILES: dict[str, str] = {"meta": "meta.yaml"}
"""Kinds kept in one file; every other kind is a directory of item files (see seeds/README.md)."""
NAMED_BY_FILE = frozenset({"cases"})
"""Kinds whose file is one item named by the file (``seeds/cases/tourism.yaml`` is ``tourism``);
a seed set may have none of them."""

MODELS: dict[str, type[BaseModel]] = {
    "meta": Meta,
    **{kind.attr: kind.model for kind in ITEM_KINDS},
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


def _item_files(directory: Path, kind: str) -> list[Path]:
    """A kind's files: ``<kind>.yaml`` and every ``<kind>/*.yaml``, in name order."""
    files = [directory / f"{kind}.yaml"] if (directory / f"{kind}.yaml").is_file() else []
    folder = directory / kind
    if folder.is_dir():
        files += sorted(folder.glob("*.yaml"))
    return files


# libyaml's parser where PyYAML was built with it (every wheel on PyPI is): the same safe
# constructor, so the same values, about ten times faster than the pure-Python parser, which
# took most of a start-up, a ``kb test`` and a test worker's first seconds.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """One YAML document with the safe constructor, parsed by libyaml when it is there."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def _read(path: Path, label: str, problems: list[str]) -> Any:
    try:
        return read_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{label}: not valid YAML: {exc}")
        return None


def _load_items(
    directory: Path, kind: str, problems: list[str], origins: dict[tuple[str, str], str]
) -> list[Any]:
    """Every item of one kind; a file holds one item (a mapping) or several (a list)."""
    files = _item_files(directory, kind)
    if not files and kind not in NAMED_BY_FILE:
        problems.append(f"seeds/{kind}/: no item files")
        return []
    adapter: TypeAdapter[Any] = TypeAdapter(MODELS[kind])
    items: list[Any] = []
    for path in files:
        label = f"seeds/{path.relative_to(directory).as_posix()}"
        raw = _read(path, label, problems)
        if kind in NAMED_BY_FILE and isinstance(raw, dict):
            raw = {"slug": path.stem} | raw
        entries = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else None
        if entries is None:
            if raw is not None or path.stat().st_size:
                problems.append(f"{label}: expected an item or a list of items")
            continue
        for index, entry in enumerate(entries):
            try:
                item = adapter.validate_python(entry)
            except ValidationError as exc:
                problems += _field_errors(label, _ident(entry, index), exc)
                continue
            items.append(item)
            origins[(kind, str(getattr(item, "slug", None) or getattr(item, "key", "")))] = label
    return items


def load_seeds(directory: Path) -> KnowledgeBase:
    """Read and validate every seed file; raise SeedError listing every problem found."""
    problems: list[str] = []
    origins: dict[tuple[str, str], str] = {}
    parts: dict[str, object] = {}
    meta_path = directory / SINGLE_FILES["meta"]
    if not meta_path.is_file():
        problems.append("seeds/meta.yaml: file missing")
    else:
        raw = _read(meta_path, "seeds/meta.yaml", problems)
        try:
            parts["meta"] = Meta.model_validate(raw)
        except ValidationError as exc:
            problems += _field_errors("seeds/meta.yaml", "meta", exc)
    for kind in MODELS:
        if kind not in SINGLE_FILES:
            parts[kind] = _load_items(directory, kind, problems, origins)
    if problems:
        raise SeedError(problems)
    kb = KnowledgeBase(**parts)
    issues = check_references(kb)
    if issues:
        raise SeedError(
            [
                f"{origins.get((i.kind, i.item), f'seeds/{i.kind}')}: item {i.item!r}: "
                f"field {i.field}: {i.message}"
                for i in issues
            ]
        )
    return kb


def seed(uow: UnitOfWork, kb: KnowledgeBase, origin: str = "seed") -> SeedOutcome:
    """Store ``kb`` unless it is already the current version; one transaction either way."""
    checksum = kb.checksum()
    with uow.write() as tx:
        tx.kb.lock()
        current = tx.kb.latest()
        if current is not None and current.checksum == checksum:
            return SeedOutcome(current.number, checksum, changed=False)
        version = tx.kb.record(kb, origin)
        return SeedOutcome(version.number, checksum, changed=True)

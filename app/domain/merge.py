"""RFC 7396 JSON merge patch: how curators patch an item and how an expert case changes the base
profile of its file."""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """Objects merge recursively, null removes, anything else replaces.

    >>> merge_patch({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": None, "e": 4}, "d": [5]})
    {'a': {'c': 2, 'e': 4}, 'd': [5]}
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result

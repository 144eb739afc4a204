"""The queue's messages are JSON: a job id goes in and comes out, and nothing else is read."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import orjson
import pytest
from huey.registry import Message

from app.services.huey_queue import JsonSerializer


def test_a_message_is_json_and_comes_back_whole() -> None:
    message = Message("m-1", "countypath.batch_job", None, 0, 0, None, ("job-1",), {}, None, None)
    data = JsonSerializer().serialize(message)
    assert orjson.loads(data)["args"] == ["job-1"]
    assert JsonSerializer().deserialize(data) == message
    later = message._replace(eta=datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    assert JsonSerializer().deserialize(JsonSerializer().serialize(later)) == later


def test_pickle_is_never_read() -> None:
    with pytest.raises(orjson.JSONDecodeError):
        JsonSerializer().deserialize(pickle.dumps({"evil": True}))
    with pytest.raises(TypeError):
        JsonSerializer().serialize({"a": 1})

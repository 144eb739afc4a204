"""What of the job queue needs huey: its JSON messages, the queue the settings name, and the
consumer ``countypath serve`` runs. Imported by app.services.job_queue when the queue is first
opened, so an API worker that takes no job never imports huey (nor the Redis and PostgreSQL
clients huey's storage module imports: about 19 MB in all)."""

from __future__ import annotations

import signal
from datetime import datetime
from typing import Any

import orjson
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer
from huey.registry import Message
from huey.serializer import Serializer
from huey.signals import SIGNAL_INTERRUPTED

from app.settings import Settings

__all__ = ["SIGNAL_INTERRUPTED", "JsonSerializer", "ServingConsumer", "make_huey"]


class JsonSerializer(Serializer):  # type: ignore[misc]
    """huey messages as JSON. Only what a batch-job message uses is supported: positional
    string arguments and an optional ETA (ISO time)."""

    def _serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message):
            raise TypeError("only task messages are queued (results are not kept)")
        fields = data._asdict()
        if fields["eta"] is not None:
            fields["eta"] = fields["eta"].isoformat()
        if fields["on_complete"] is not None or fields["on_error"] is not None:
            raise TypeError("task pipelines are not used")
        return orjson.dumps(fields)

    def _deserialize(self, data: bytes) -> Any:
        fields = orjson.loads(data)
        if fields.get("eta") is not None:
            fields["eta"] = datetime.fromisoformat(fields["eta"])
        fields["args"] = tuple(fields.get("args") or ())
        return Message(**fields)


def make_huey(settings: Settings) -> Any:
    """The queue the settings name: Redis if COUNTYPATH_REDIS_URL, else the SQLite file."""
    common = {"results": False, "utc": True, "serializer": JsonSerializer()}
    if settings.redis_url:
        return RedisHuey(settings.job_queue_name, url=settings.redis_url, **common)
    path = settings.queue_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.job_queue_name, filename=str(path), timeout=20, **common)


class ServingConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer, which can leave SIGINT to the process that started it."""

    ignore_interrupt = False

    def _set_signal_handlers(self) -> None:
        super()._set_signal_handlers()
        if self.ignore_interrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

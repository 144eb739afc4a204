"""Settings that choose how the server runs."""

from app.settings import Settings


def test_event_loop_auto_picks_by_worker_count() -> None:
    auto = Settings(database_url="sqlite://")
    assert auto.loop_for(1) == "asyncio"
    assert auto.loop_for(2) == "uvloop"
    assert Settings(database_url="sqlite://", event_loop="uvloop").loop_for(1) == "uvloop"
    assert Settings(database_url="sqlite://", event_loop="asyncio").loop_for(4) == "asyncio"

"""A command a test runs that fails says why: its exit status and its output are in the failure
(the 500-assessments drill once failed on `app migrate` exiting 1, its output thrown away)."""

from __future__ import annotations

import pytest

from tests.system.serverproc import cli


def test_a_failing_command_shows_its_output() -> None:
    with pytest.raises(AssertionError) as failed:
        cli("postgresql+psycopg://nobody@127.0.0.1:1/none", "migrate")
    text = str(failed.value)
    assert " -m app migrate exited 1" in text
    assert "--- stderr ---" in text
    assert "Connection refused" in text or "connection failed" in text

"""Entity-tag comparison: strong for If-Match, weak for If-None-Match (RFC 9110 section 13.1)."""

import pytest

from app.errors import PreconditionRequired
from app.services.preconditions import strong_match, weak_match

TAG = '"abc"'


def test_strong_comparison_never_matches_a_weak_tag() -> None:
    assert strong_match(TAG, TAG)
    assert strong_match('"x", "abc"', TAG)
    assert not strong_match('W/"abc"', TAG)
    assert not strong_match('"abd"', TAG)
    assert not strong_match("", TAG)


def test_weak_comparison_ignores_the_weak_prefix() -> None:
    assert weak_match('W/"abc"', TAG)
    assert weak_match(TAG, 'W/"abc"')
    assert weak_match('"x", W/"abc"', TAG)
    assert weak_match("*", TAG)
    assert not weak_match('"abd"', TAG)


@pytest.mark.parametrize("header", ["*", '"x", *', " * "])
def test_if_match_star_is_refused_where_a_tag_is_required(header: str) -> None:
    with pytest.raises(PreconditionRequired):
        strong_match(header, TAG)

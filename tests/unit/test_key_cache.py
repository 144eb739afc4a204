"""The per-process cache of keys that authenticated."""

from app.services.keys import Principal, PrincipalCache

KEY = "cp_abcd_secret"
WHO = Principal(1, "portal", frozenset({"assessments"}))


def test_a_stamp_change_or_an_unreadable_stamp_empties_the_cache() -> None:
    cache = PrincipalCache()
    cache.observe((0, None))
    cache.put(KEY, WHO, cache.generation)
    assert cache.get(KEY) == WHO
    cache.observe((0, None))  # nothing revoked since: kept
    assert cache.get(KEY) == WHO
    cache.observe((1, "2026-11-28 12:00:00"))  # a revocation: forgotten
    assert cache.get(KEY) is None
    cache.put(KEY, WHO, cache.generation)
    cache.observe(None)  # the database could not be asked: trust nothing
    assert cache.get(KEY) is None


def test_a_lookup_that_began_before_a_clearing_is_not_stored() -> None:
    cache = PrincipalCache()
    began = cache.generation
    cache.observe((1, "2026-11-28 12:00:00"))  # a revocation lands while the lookup runs
    cache.put(KEY, WHO, began)
    assert cache.get(KEY) is None

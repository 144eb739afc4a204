"""Expert cases: what a development economist expects of a kind of county, as data that travels
with the knowledge base (``seeds/cases/*.yaml``, the ``cases`` of the document), and the pure
checks that judge a result against them. Running them (profile in, result out) is
:mod:`app.services.expert_cases`; the keys are documented in ``seeds/cases/README.md``.

A case set is one file: an optional ``base`` profile and its ``cases``; a case gives a whole
``profile`` or ``changes`` merged into the base (RFC 7396: a null removes a key), the language of
its result, ``why`` (the expert's reason) and ``expect``: expectation key -> what is wanted.

Adding an expectation key is one function here, registered with ``@expectation("key")``: it
takes the result (its JSON form, as clients read it) and what the case wants, and returns None
when the expectation is met, else what it found instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, NamedTuple

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.domain.language import default
from app.domain.merge import merge_patch

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # as app.domain.knowledge's (which imports this module)
# The result as a client reads it (JSON): a check reads it by key, and a key it lacks or a value
# of another type is an unmet expectation (``judge`` catches the error), not a crash.
Result = dict[str, Any]
Found = Any  # None when the expectation is met; else what was found, for the report
Check = Callable[[Result, Any], Found]
Fits = Callable[[set[str], set[str]], bool]
EXPECTATIONS: dict[str, Check] = {}


def _as_json(value: Any) -> Any:
    """``value`` as JSON gives it back (mapping keys as strings, dates as ISO text), so a case
    reads the same from a YAML seed, a stored document and an import. What JSON cannot hold (an
    integer past 64 bits) is refused."""
    try:
        return orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    except TypeError as exc:  # orjson.JSONEncodeError
        raise ValueError(f"not a JSON value: {exc}") from None


class Case(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    why: str = Field(min_length=1, max_length=2000, description="The expert's reason.")
    profile: dict[str, object] | None = Field(
        default=None, description="The whole profile (instead of the base and changes)."
    )
    changes: dict[str, object] | None = Field(
        default=None, description="A merge patch (RFC 7396) of the file's base profile."
    )
    lang: str = Field(default=default(), description="The language of the result the case reads.")
    expect: dict[str, object] = Field(
        min_length=1, description="Expectation key -> what is wanted."
    )

    @field_validator("profile", "changes", "expect", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return _as_json(value)

    @model_validator(mode="after")
    def _one_profile(self) -> Case:
        if self.profile is not None and self.changes is not None:
            raise ValueError("a case gives either a whole profile or changes to the base")
        return self


class CaseSet(BaseModel):
    """The cases of one kind of county (one file of ``seeds/cases/``, its name the slug)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    slug: Annotated[str, Field(pattern=SLUG_RE, min_length=2, max_length=80)]
    base: dict[str, object] | None = Field(default=None, description="The profile cases change.")
    cases: list[Case] = Field(min_length=1)

    @field_validator("base", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return _as_json(value)

    @model_validator(mode="after")
    def _base_when_needed(self) -> CaseSet:
        for n, case in enumerate(self.cases):
            if case.profile is None and self.base is None:
                raise ValueError(f"case {n} ({case.name!r}) has no profile and the set no base")
        return self

    def profile_of(self, case: Case) -> dict[str, object]:
        """The profile a case diagnoses."""
        if case.profile is not None:
            return case.profile
        changed: dict[str, object] = merge_patch(self.base, case.changes or {})
        return changed


class Unmet(NamedTuple):
    """One expectation a result did not meet: the key, what the case wanted, what was found."""

    key: str
    wanted: Any
    found: Any


def judge(result: Result, expect: Mapping[str, object]) -> list[Unmet]:
    """Every expectation of ``expect`` the result does not meet (an unknown key is one too, so a
    typo cannot pass silently)."""
    unmet = []
    for key, wanted in expect.items():
        check = EXPECTATIONS.get(key)
        if check is None:
            found: Found = f"no such expectation (known: {', '.join(sorted(EXPECTATIONS))})"
        else:
            try:
                found = check(result, wanted)
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                found = f"the result has no {exc}" if isinstance(exc, KeyError) else repr(exc)
        if found is not None:
            unmet.append(Unmet(key, wanted, found))
    return unmet


def expectation(key: str) -> Callable[[Check], Check]:
    """Register ``check`` as the meaning of the expectation ``key``."""

    def register(check: Check) -> Check:
        EXPECTATIONS[key] = check
        return check

    return register


# ------------------------------------------------------------------ reading a result


def _challenges(res: Result) -> dict[str, Result]:
    return {c["slug"]: c for c in res["challenges"]}


def _challenge(res: Result, slug: str) -> Result:
    found = _challenges(res).get(slug)
    if found is None:
        raise KeyError(f"challenge {slug!r}")
    return found


def _paths(res: Result) -> list[str]:
    return [r["slug"] for r in res["recommendations"]]


def _path(res: Result, slug: str) -> Result:
    found: Result | None = next((r for r in res["recommendations"] if r["slug"] == slug), None)
    if found is None:
        raise KeyError(f"path {slug!r} among the recommendations")
    return found


def _rationales(res: Result) -> str:
    return "\n".join(r["rationale"] for r in res["recommendations"])


def _by_count(want: dict[Any, list[str]]) -> Iterable[tuple[int, list[str]]]:
    """``{n: [...]}`` with ``n`` a number (JSON keys are strings)."""
    return ((int(n), items) for n, items in want.items())


def _unless(failed: Any) -> Found:
    """None when nothing failed, else what did."""
    return failed or None


# ------------------------------------------------------------------ the expectations


@expectation("statuses")
def statuses(res: Result, want: dict[str, str]) -> Found:
    """Each challenge has exactly this status."""
    got = {slug: _challenge(res, slug) for slug in want}
    return _unless(
        {
            slug: f"{c['status']} (severity {c['severity']})"
            for slug, c in got.items()
            if c["status"] != want[slug]
        }
    )


@expectation("status_in")
def status_in(res: Result, want: dict[str, list[str]]) -> Found:
    got = {slug: _challenge(res, slug)["status"] for slug in want}
    return _unless({slug: status for slug, status in got.items() if status not in want[slug]})


@expectation("most_severe")
def most_severe(res: Result, want: list[str]) -> Found:
    first = res["challenges"][0]["slug"]
    top = [(c["slug"], c["severity"]) for c in res["challenges"][:4]]
    return None if first in want else top


def _among_first(ranked: list[str], want: dict[Any, list[str]], fits: Fits) -> Found:
    """``{n: [...]}`` against the first n of ``ranked``: the first n whose slugs do not fit."""
    for n, slugs in _by_count(want):
        top = ranked[:n]
        if not fits(set(slugs), set(top)):
            return {n: top}
    return None


def _none_of(slugs: set[str], top: set[str]) -> bool:
    return not slugs & top


@expectation("not_among_most_severe")
def not_among_most_severe(res: Result, want: dict[Any, list[str]]) -> Found:
    return _among_first([c["slug"] for c in res["challenges"]], want, _none_of)


@expectation("top_paths")
def top_paths(res: Result, want: dict[Any, list[str]]) -> Found:
    return _among_first(_paths(res), want, set.issubset)


@expectation("top_paths_exclude")
def top_paths_exclude(res: Result, want: dict[Any, list[str]]) -> Found:
    return _among_first(_paths(res), want, _none_of)


@expectation("ranks_above")
def ranks_above(res: Result, want: list[list[str]]) -> Found:
    order = _paths(res)
    for higher, lower in want:
        if higher not in order:
            return f"{higher} is not recommended"
        if lower in order and order.index(higher) > order.index(lower):
            return {higher: order.index(higher) + 1, lower: order.index(lower) + 1}
    return None


@expectation("kinds")
def kinds(res: Result, want: list[str]) -> Found:
    got = sorted(k["slug"] for k in res["kinds"])
    return None if got == sorted(want) else got


@expectation("benchmark")
def benchmark(res: Result, want: str) -> Found:
    return None if res["benchmark"] == want else res["benchmark"]


@expectation("warnings")
def warnings(res: Result, want: list[dict[str, str]]) -> Found:
    """Each wanted warning is matched by some warning on every field it names."""
    got = res["warnings"]
    for w in want:
        if not any(all(item.get(k) == v for k, v in w.items()) for item in got):
            return [{k: item.get(k) for k in ("code", "indicator", "field")} for item in got]
    return None


@expectation("no_warnings")
def no_warnings(res: Result, want: list[str]) -> Found:
    codes = [w["code"] for w in res["warnings"]]
    return _unless(sorted(set(codes) & set(want)))


@expectation("confidence_below")
def confidence_below(res: Result, want: dict[str, float]) -> Found:
    got = {slug: _challenge(res, slug)["confidence"] for slug in want}
    return _unless({slug: value for slug, value in got.items() if value >= want[slug]})


@expectation("missing_include")
def missing_include(res: Result, want: dict[str, list[str]]) -> Found:
    got = {slug: _challenge(res, slug)["missing"] for slug in want}
    return _unless({slug: keys for slug, keys in got.items() if not set(want[slug]) <= set(keys)})


@expectation("evidence_once")
def evidence_once(res: Result, want: dict[str, list[str]]) -> Found:
    """Of each group of indicators that state one fact, exactly one is evidence."""
    for slug, group in want.items():
        evidence = _challenge(res, slug)["evidence"]
        present = [e["indicator"] for e in evidence if e["indicator"] in group]
        if len(present) != 1:
            return {slug: present}
    return None


@expectation("targets")
def targets(res: Result, want: str) -> Found:
    """Targets exist only for evidence past its watch line, and lie on the good side."""
    if want != "only_where_needed_on_the_good_side":
        return f"unknown rule {want!r}"
    for c in res["challenges"]:
        for e in c["evidence"]:
            if e["band"] == "ok":
                wrong = e["target"] is not None
            else:
                below = e["bad_when"] == "below"
                wrong = not (e["target"] > e["value"] if below else e["target"] < e["value"])
            if wrong:
                return {c["slug"]: {k: e[k] for k in ("indicator", "band", "value", "target")}}
    return None


@expectation("rationale_contains")
def rationale_contains(res: Result, want: list[str]) -> Found:
    text = _rationales(res)
    return _unless([f"no {fragment!r}" for fragment in want if fragment not in text])


@expectation("rationale_excludes")
def rationale_excludes(res: Result, want: list[str]) -> Found:
    text = _rationales(res)
    return _unless([fragment for fragment in want if fragment in text])


@expectation("fit_outcome")
def fit_outcome(res: Result, want: dict[str, str]) -> Found:
    """One of the path's fit conditions has this outcome."""
    got = {path: {f["outcome"] for f in _path(res, path)["fit"]} for path in want}
    return _unless({path: sorted(seen) for path, seen in got.items() if want[path] not in seen})


@expectation("strengths")
def strengths(res: Result, want: list[str]) -> Found:
    got = {s["indicator"] for s in res["strengths"]}
    return None if set(want) <= got else sorted(got)


@expectation("peers_note")
def peers_note(res: Result, want: str | None) -> Found:
    note = res["peers_note"]
    code = note["code"] if note else None
    return (
        None if code == want else {"peers_note": code, "peers": [p["slug"] for p in res["peers"]]}
    )


@expectation("peers_include")
def peers_include(res: Result, want: list[str]) -> Found:
    got = [p["slug"] for p in res["peers"]]
    return None if set(want) <= set(got) else got


@expectation("peers_exclude")
def peers_exclude(res: Result, want: list[str]) -> Found:
    got = [p["slug"] for p in res["peers"]]
    return _unless(sorted(set(want) & set(got)))


@expectation("examples_exclude")
def examples_exclude(res: Result, want: list[str]) -> Found:
    """No path of the result illustrates itself with these examples."""
    shown = {e["slug"] for r in res["recommendations"] for e in r["examples"]}
    return _unless(sorted(shown & set(want)))


@expectation("first_examples_of_kind")
def first_examples_of_kind(res: Result, want: dict[str, str]) -> Found:
    """The first example shown for a path speaks to the given kind."""
    for path, kind in want.items():
        examples = _path(res, path)["examples"]
        if not examples or kind not in examples[0]["kinds"]:
            return {path: [{"slug": e["slug"], "kinds": e["kinds"]} for e in examples[:2]]}
    return None


@expectation("warnings_exclude")
def warnings_exclude(res: Result, want: list[dict[str, str]]) -> Found:
    """No warning matches any of these on every field it names."""
    got = res["warnings"]
    return _unless(
        [w for w in want if any(all(item.get(k) == v for k, v in w.items()) for item in got)]
    )


@expectation("leading_industry")
def leading_industry(res: Result, want: Mapping[str, object]) -> Found:
    """The county's leading industry as the result reads it (declared or from a share)."""
    got = res["leading_industry"]
    if got is None:
        return "no leading industry"
    return _unless({k: got.get(k) for k, v in want.items() if got.get(k) != v})


def _kind_field(res: Result, want: dict[str, str], field: str) -> Found:
    got = {k["slug"]: k[field] for k in res["kinds"]}
    return _unless({kind: got.get(kind) for kind, value in want.items() if got.get(kind) != value})


@expectation("kind_basis")
def kind_basis(res: Result, want: dict[str, str]) -> Found:
    """Why each kind applies: declared by the county, implied by its zone, or from its figures."""
    return _kind_field(res, want, "basis")


@expectation("kind_labels")
def kind_labels(res: Result, want: dict[str, str]) -> Found:
    """The words a kind is named with (a declared zone by its legal name, a trait as a trait)."""
    return _kind_field(res, want, "label")


@expectation("county")
def county(res: Result, want: Mapping[str, object]) -> Found:
    """Fields of the result's county head (official name, prefecture, form)."""
    got = res["county"]
    return _unless({k: got.get(k) for k, v in want.items() if got.get(k) != v})


@expectation("not_judged")
def not_judged(res: Result, want: list[str]) -> Found:
    """No challenge judges the county on these indicators, nor counts them as missing."""
    for c in res["challenges"]:
        judged = {e["indicator"] for e in c["evidence"]} | set(c["missing"])
        if judged & set(want):
            return {c["slug"]: sorted(judged & set(want))}
    return None


@expectation("evidence_against")
def evidence_against(res: Result, want: dict[str, dict[str, str]]) -> Found:
    """What each piece of evidence is measured against (the province, the nation, a line)."""
    for slug, indicators in want.items():
        evidence = {e["indicator"]: e for e in _challenge(res, slug)["evidence"]}
        for key, against in indicators.items():
            if key not in evidence:
                return {slug: f"no evidence on {key}"}
            if evidence[key].get("against") != against:
                return {slug: {key: evidence[key].get("against")}}
    return None


@expectation("constraints")
def constraints(res: Result, want: dict[str, str]) -> Found:
    """Each constraint has this status (binding, clear, unknown)."""
    got = {c["code"]: c["status"] for c in res["constraints"]}
    return _unless(
        {code: got.get(code) for code, status in want.items() if got.get(code) != status}
    )


@expectation("held_back")
def held_back(res: Result, want: dict[str, list[str]]) -> Found:
    """These paths lose an action, or are left out whole, because of the constraint."""
    got = {c["code"]: {x["path"] for x in c["left_out"]} for c in res["constraints"]}
    return _unless(
        {
            code: sorted(got.get(code, set()))
            for code, paths in want.items()
            if not set(paths) <= got.get(code, set())
        }
    )


@expectation("not_held_back")
def not_held_back(res: Result, want: dict[str, list[str]]) -> Found:
    """None of these paths loses an action, or is left out whole, because of the constraint (a
    farmland task paid by central and provincial money is not held back by county debt)."""
    got = {c["code"]: {x["path"] for x in c["left_out"]} for c in res["constraints"]}
    return _unless(
        {
            code: sorted(got.get(code, set()) & set(paths))
            for code, paths in want.items()
            if got.get(code, set()) & set(paths)
        }
    )


def _actions(res: Result) -> str:
    return "\n".join(a for r in res["recommendations"] for a in r["actions"])


@expectation("actions_include")
def actions_include(res: Result, want: list[str]) -> Found:
    """Some action of a recommended path contains each fragment (a coal county sees coal
    actions)."""
    text = _actions(res)
    return _unless([f"no {fragment!r}" for fragment in want if fragment not in text])


@expectation("actions_exclude")
def actions_exclude(res: Result, want: list[str]) -> Found:
    """No action of any recommended path contains these fragments (a metal-mining county sees
    no coal action)."""
    text = _actions(res)
    return _unless([fragment for fragment in want if fragment in text])


def _challenge_text(res: Result, slug: str) -> str:
    """What the result says of one challenge: its description and the county's finding."""
    c = _challenge(res, slug)
    return "\n".join(t for t in (c.get("summary"), c.get("finding")) if t)


@expectation("challenge_text_contains")
def challenge_text_contains(res: Result, want: dict[str, list[str]]) -> Found:
    """The challenge's description or its finding contains each fragment."""
    missing = {
        slug: [f for f in fragments if f not in _challenge_text(res, slug)]
        for slug, fragments in want.items()
    }
    return _unless({slug: found for slug, found in missing.items() if found})


@expectation("challenge_text_excludes")
def challenge_text_excludes(res: Result, want: dict[str, list[str]]) -> Found:
    """Neither the challenge's description nor its finding contains these fragments."""
    said = {
        slug: [f for f in fragments if f in _challenge_text(res, slug)]
        for slug, fragments in want.items()
    }
    return _unless({slug: found for slug, found in said.items() if found})

"""What a reader sees of where figures come from: an example's figures with their own sources, the
year of the benchmark figure a county is compared with, and sources printed in the reader's
language without a mirror."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.sources import provenance
from tests.api.test_report_content import INDUSTRIAL, report
from tests.conftest import DEQING_PROFILE

PEOPLES_DAILY = "http://finance.people.com.cn/BIG5/n1/2025/0216/c1004-40419228.html"


def test_an_example_figure_shows_its_own_source(client: TestClient) -> None:
    en = client.get("/v1/examples/geographic-information-town").json()
    assert en["source"]["document"] == "yuan-2025"
    firms = next(f for f in en["figures"] if f["key"] == "geospatial_firms")
    assert firms["value"] == 430
    assert firms["year"] == 2025
    assert firms["tag"] == "V"
    assert firms["source"]["url"] == PEOPLES_DAILY
    assert firms["source"]["publisher"].startswith("People's Daily")
    zh = client.get(
        "/v1/examples/geographic-information-town", headers={"Accept-Language": "zh"}
    ).json()
    firms_zh = next(f for f in zh["figures"] if f["key"] == "geospatial_firms")
    assert firms_zh["source"]["publisher"].startswith("《人民日报》")


def test_a_paper_figure_defaults_to_the_examples_source_year_and_tag(client: TestClient) -> None:
    body = client.get("/v1/examples/talent-results-2023").json()
    for fig in body["figures"]:
        assert fig["source"] == body["source"]
        assert (fig["year"], fig["tag"]) == (2023, "P")


def test_evidence_shows_the_year_of_the_benchmark_figure(client: TestClient) -> None:
    profile: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    result = client.post("/v1/recommendations", json=profile).json()
    assert result["benchmark"] == "zhejiang-2024"
    evidence = {e["indicator"]: e for c in result["challenges"] for e in c["evidence"]}
    # zhejiang-2024 holds the 2023 urban-rural ratio (no 2024 one was found) and 2024 urbanisation.
    assert evidence["urban_rural_income_ratio"]["benchmark_year"] == 2023
    assert evidence["urbanization_rate_pct"]["benchmark_year"] == 2024


def test_the_callers_own_benchmark_figure_has_no_year(client: TestClient) -> None:
    profile: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    profile["benchmark_values"] = {"urban_rural_income_ratio": 1.9}
    result = client.post("/v1/recommendations", json=profile).json()
    evidence = {e["indicator"]: e for c in result["challenges"] for e in c["evidence"]}
    assert evidence["urban_rural_income_ratio"]["benchmark_value"] == 1.9
    assert evidence["urban_rural_income_ratio"]["benchmark_year"] is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_printed_source_is_the_publisher_never_a_mirror(client: TestClient, lang: str) -> None:
    """The manufacturing county's paths cite State Council documents read on re-post sites: the
    report prints the issuer and the document, in the report's language, not the re-post."""
    md = report(client, "text/markdown", lang, INDUSTRIAL).text
    for word in ("mirror", "re-post", "low-quality", "低质量", "转载", "镜像"):
        assert word not in md.lower(), word
    for host in provenance().mirror_hosts:
        assert f"{host}/" not in md, host
    if lang == "zh":
        assert "国务院" in md
        assert "State Council" not in md
    else:
        assert "State Council" in md

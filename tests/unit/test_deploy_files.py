"""deploy/compose.yaml and deploy/nginx.conf describe one deployment: the upstreams nginx proxies
to are the replicas compose runs, the replicas trust exactly nginx's address, and everything
waits for what it needs (tests/system/test_nginx.py runs the nginx configuration itself)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data


def test_compose_runs_postgres_redis_two_replicas_and_nginx() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "countypath-1", "countypath-2", "nginx"} <= set(
        services
    )
    for name in ("countypath-1", "countypath-2"):
        replica = services[name]
        assert "--no-prepare" in replica["command"]  # migrations ran once, in `migrate`
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
        env = replica["environment"]
        assert env["COUNTYPATH_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["COUNTYPATH_REDIS_URL"].startswith("redis://redis:")
        assert "ports" not in replica  # only nginx is published
    assert services["nginx"]["depends_on"] == {
        "countypath-1": {"condition": "service_healthy"},
        "countypath-2": {"condition": "service_healthy"},
    }


def test_nginx_and_compose_agree() -> None:
    compose = _compose()
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstreams = re.findall(r"server (countypath-\d):(\d+)", conf)
    assert upstreams == [("countypath-1", "8000"), ("countypath-2", "8000")]
    nginx = compose["services"]["nginx"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    listen = re.search(r"listen (\d+);", conf)
    assert listen is not None
    assert nginx["ports"] == [f"{listen.group(1)}:{listen.group(1)}"]
    address = nginx["networks"]["backend"]["ipv4_address"]
    for name in ("countypath-1", "countypath-2"):
        env = compose["services"][name]["environment"]
        assert env["COUNTYPATH_TRUSTED_PROXIES"] == address
        assert "--port" in compose["services"][name]["command"]
        port = compose["services"][name]["command"]
        assert port[port.index("--port") + 1] == "8000"


def test_nginx_sets_the_limits_the_deployment_relies_on() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for directive in (
        r"client_header_timeout \d+s;",
        r"client_body_timeout \d+s;",
        r"client_max_body_size 16m;",
        r"limit_req zone=per_client",
        r"proxy_set_header X-Forwarded-For \$remote_addr;",
        r"max_fails=\d+ fail_timeout=\d+s",
    ):
        assert re.search(directive, conf), directive

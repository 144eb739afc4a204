"""Runtime configuration, read once from ``COUNTYPATH_*`` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_seeds() -> Path:
    """Beside the package in a checkout; in the working directory for an installed package."""
    beside = Path(__file__).resolve().parent.parent / "seeds"
    return beside if beside.is_dir() else Path.cwd() / "seeds"


def _default_paper() -> Path:
    """The source paper's plain text, shared beside the checkout (``../shared/paper/``)."""
    return (
        Path(__file__).resolve().parent.parent.parent / "shared" / "paper" / "yuan-2025-deqing.txt"
    )


class Settings(BaseSettings):
    """Every knob an operator can turn; tests build their own instance instead of patching env."""

    model_config = SettingsConfigDict(env_prefix="COUNTYPATH_", extra="ignore")

    database_url: str = "sqlite:///./countypath.db"
    seeds_dir: Path = Field(default_factory=_default_seeds)
    # The source paper's text (COUNTYPATH_PAPER_TEXT): `kb check` checks numbers cited to the
    # paper against it, and says so when it is absent. Its file name starts with the slug of
    # the document it holds (yuan-2025-deqing.txt is document yuan-2025).
    paper_text: Path = Field(default_factory=_default_paper)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    max_batch_profiles: int = Field(default=5000, ge=1, le=100_000)
    require_key: bool = False
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=20_000, ge=0)
    kb_refresh_seconds: float = Field(default=1.0, gt=0)
    freeze_heap: bool = True
    catalog_max_age: int = Field(default=300, ge=0)
    rate_limit: str = Field(default="600/60", pattern=r"^(off|\d+/\d+)$")
    redis_url: str | None = None
    max_in_flight: int = Field(default=256, ge=1)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    # uvicorn closes an idle keep-alive connection after this. (uvicorn has no timeout for a
    # request's headers: deploy behind nginx, whose client_header_timeout cuts slow senders.)
    keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    # A request body must arrive within this (408 otherwise), so slow senders free their slot.
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    event_loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    # Proxies whose X-Forwarded-For names the client (addresses or CIDRs); none by default, so the
    # socket peer is the client and a forwarded address cannot choose a rate-limit bucket.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)
    # /metrics: a bearer token it requires, or a separate host:port that serves it instead of the
    # API's port (bind it to an interface only the scraper reaches).
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    metrics_address: str | None = Field(
        default=None, pattern=r"^(\[[0-9A-Fa-f:]+\]|[\w.-]+):\d{1,5}$"
    )
    # Signs pagination cursors; unset, a random key is generated once and kept in the database.
    secret_key: SecretStr | None = Field(default=None, min_length=32)
    # Batch jobs (docs/jobs.md): how long a job and its results are kept after it ends; job
    # workers `serve` runs beside the API (0: none, run `countypath jobs worker` apart); how long
    # a worker's hold on a job lasts unless renewed; how many times a job is started before it
    # is failed; the queue's SQLite file (unless COUNTYPATH_REDIS_URL is set) and its name.
    job_ttl_seconds: int = Field(default=86_400, ge=1)
    job_workers: int = Field(default=1, ge=0, le=64)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_max_attempts: int = Field(default=3, ge=1)
    job_queue_path: Path | None = None
    job_queue_name: str = Field(default="countypath-jobs", pattern=r"^[\w.-]{1,64}$")

    def loop_for(self, workers: int) -> Literal["asyncio", "uvloop"]:
        """``auto``: the standard library's loop for one process, uvloop for several.

        Measured at 32 keep-alive connections (bench/README.md): one uvloop process let a few
        connections wait 200-500 ms (p99 229 ms against 43 ms on the standard loop, same
        throughput); with several workers the standard loop's sockets, inherited from the
        supervisor, miss TCP_NODELAY and every answer waits ~40 ms, while uvloop sets it.
        """
        if self.event_loop != "auto":
            return self.event_loop
        return "asyncio" if workers == 1 else "uvloop"

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """A comma-separated environment variable as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("list the allowed origins explicitly; '*' is refused")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def queue_file(self) -> Path:
        """The embedded queue's SQLite file: the one configured, else beside a SQLite database
        (``countypath.db`` -> ``countypath-queue.db``), else ``./countypath-queue.db``."""
        if self.job_queue_path is not None:
            return self.job_queue_path
        prefix = "sqlite:///"
        database = self.database_url.removeprefix(prefix)
        if self.database_url.startswith(prefix) and database and database != ":memory:":
            return Path(database).with_name(Path(database).stem + "-queue.db")
        return Path("countypath-queue.db")


@lru_cache
def get_settings() -> Settings:
    return Settings()

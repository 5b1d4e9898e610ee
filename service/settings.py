"""Service settings, read from the environment (and an optional git-ignored env file).

`NEO4J_*` keep their usual unprefixed names so the same environment works for the
driver, cypher-shell and docker-compose; everything of Powermap's own is `POWERMAP_*`.
The local Neo4j (``powermap neo4j start``) writes its generated credentials to the
env file named by ``POWERMAP_ENV_FILE`` (default ``.env``), which is how a developer's
``make run`` and ``make test`` find the server without exporting anything.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def env_file_path() -> Path:
    """Where the local Neo4j's credentials (and any developer overrides) live."""
    return Path(os.environ.get("POWERMAP_ENV_FILE", ".env"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POWERMAP_", extra="ignore", env_file_encoding="utf-8"
    )

    environment: Literal["development", "test", "production"] = "development"

    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687",
        validation_alias=AliasChoices("NEO4J_URI", "POWERMAP_NEO4J_URI"),
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "POWERMAP_NEO4J_USER")
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("NEO4J_PASSWORD", "POWERMAP_NEO4J_PASSWORD"),
    )
    neo4j_database: str = Field(
        default="neo4j",
        validation_alias=AliasChoices("NEO4J_DATABASE", "POWERMAP_NEO4J_DATABASE"),
    )

    # Failing fast while Neo4j is down (docs/operations.md): how long one connection
    # attempt may take, how long a request may wait for a pooled connection, and how long
    # after finding Neo4j unreachable every call fails at once (the circuit breaker).
    neo4j_connection_timeout_s: float = Field(default=1.0, gt=0)
    neo4j_acquisition_timeout_s: float = Field(default=5.0, gt=0)
    neo4j_breaker_cooldown_s: float = Field(default=1.0, ge=0)
    # Every request's deadline: each transaction gets the time left as its server-side
    # timeout (so a write that cannot finish in time is rolled back, never committed
    # after its client gave up), and retries stop when it is reached (504).
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    # The hot reads (one stakeholder, one account, the graph-version check before a
    # cached analytics answer) through the async driver on the event loop; false: the
    # sync driver in the thread pool, as every other route (docs/operations.md,
    # "Two drivers"; bench/RESULTS.md compares the two).
    async_reads: bool = True

    auto_migrate: bool = False
    migrations_dir: Path = Path(__file__).resolve().parent.parent / "migrations"
    # The saved analyst queries (docs/queries.md); the container sets /app/cypher.
    queries_dir: Path = Path(__file__).resolve().parent.parent / "cypher"

    # Ingest: the largest batch `POST /v1/ingest` accepts (rows over all sections);
    # bigger loads go through `powermap import`, which chunks.
    ingest_max_rows: int = Field(default=20_000, ge=1)
    # Rows per UNWIND statement inside one ingest transaction.
    ingest_unwind_chunk: int = Field(default=5_000, ge=1)

    # What one request can make the service hold (docs/api-inputs.md, "Limits").
    # Body bytes of `POST /v1/ingest`, checked on Content-Length and while a chunked body
    # streams in, before any parsing (more → 413). 32 MiB is ≈ 1.6 KB for each of the
    # `ingest_max_rows` rows; the demo portfolio averages ≈ 0.15 KB a row.
    ingest_max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    # Body bytes of every other route (queries, departures, embed tokens, …).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # A 422 lists at most this many problems (the first ones by section, row and place)
    # and gives the total as `error_count`; validation keeps no more than these either.
    max_listed_errors: int = Field(default=100, ge=1)

    # CRM sync (docs/crm-sync.md, "Your own mappings"): an operator's mappings file
    # (TOML, the layout of service/domain/sync/mappings.toml), replacing the shipped
    # defaults as a whole; checked when the service or `powermap sync` starts.
    sync_mappings_file: Path | None = None

    # Analyst queries (saved and ad hoc): server-side timeout and row cap.
    query_timeout_seconds: float = Field(default=10.0, gt=0)
    query_row_cap: int = Field(default=10_000, ge=1)

    # Tie strength (docs/definitions.md, "Tie strength").
    tie_half_life_days: float = Field(default=90.0, gt=0)
    active_tie_threshold: float = Field(default=0.2, ge=0, le=1)
    # Weight w(kind) of one interaction in the derived tie strength.
    interaction_weight_meeting: float = Field(default=1.0, ge=0)
    interaction_weight_call: float = Field(default=0.6, ge=0)
    interaction_weight_event: float = Field(default=0.5, ge=0)
    interaction_weight_email: float = Field(default=0.3, ge=0)

    # Analytics: pulled accounts kept per app instance, keyed by the graph version
    # (docs/analytics.md "Caching"); 0 disables the cache.
    analytics_cache_entries: int = Field(default=16, ge=0)
    # Refresh-ahead (docs/analytics.md "Caching"): poll the graph version every
    # interval (0 turns it off); after a write burst, re-read the accounts requests used
    # within the window, at most this many accounts per burst.
    analytics_refresh_interval_s: float = Field(default=0.5, ge=0)
    analytics_refresh_window_s: float = Field(default=900.0, gt=0)
    analytics_refresh_accounts: int = Field(default=8, ge=1)

    @property
    def interaction_weights(self) -> dict[str, float]:
        """w(kind) for every interaction kind, as the tie-strength formula uses it."""
        return {
            "meeting": self.interaction_weight_meeting,
            "call": self.interaction_weight_call,
            "event": self.interaction_weight_event,
            "email": self.interaction_weight_email,
        }

    # Embed tokens for the org-chart widget.
    # Signs embed tokens. Unset, each process draws a random one (fine for one local
    # process; tokens die with it); production refuses to start without an explicit one.
    embed_token_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(48))
    )
    embed_token_default_minutes: int = Field(default=15, ge=1)
    embed_token_max_minutes: int = Field(default=24 * 60, ge=1)
    embed_allowed_origins: list[str] = Field(default_factory=list)

    # Alerts (docs/alerts.md). Webhook hosts allowed over plain http and to resolve to
    # private, loopback or link-local addresses (tests and `make run` allow 127.0.0.1);
    # every other webhook must be https to a public address (the SSRF guard).
    alerts_webhook_allowed_hosts: list[str] = Field(default_factory=list)
    # Seconds to wait before attempt n+1 after attempt n failed (the first entry is the
    # first attempt's delay); ±20 % jitter; a longer Retry-After wins, capped at the largest.
    alerts_retry_schedule_s: list[float] = Field(
        default_factory=lambda: [0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0],
        min_length=1,
    )
    alerts_delivery_timeout_s: float = Field(default=15.0, gt=0)
    # A webhook body stays under this many bytes; larger event data goes by link.
    alerts_max_body_bytes: int = Field(default=20_000, ge=1024)
    # How often the background evaluator and deliverer look for work (each is also woken
    # at once by a write / a new event in the same process); 0 turns the thread off.
    alerts_evaluation_interval_s: float = Field(default=1.0, ge=0)
    alerts_delivery_interval_s: float = Field(default=1.0, ge=0)

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if "embed_token_secret" not in self.model_fields_set:
                raise ValueError("POWERMAP_EMBED_TOKEN_SECRET must be set in production")
            if len(self.embed_token_secret.get_secret_value()) < 32:
                raise ValueError("POWERMAP_EMBED_TOKEN_SECRET must be at least 32 characters")
            if not self.neo4j_password.get_secret_value():
                raise ValueError("NEO4J_PASSWORD must be set in production")
        return self


def load_settings() -> Settings:
    """Settings from the process environment, then the env file (environment wins)."""
    path = env_file_path()
    return Settings(_env_file=path if path.is_file() else None)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

"""Settings, read from the environment (prefix ``CIVICLOOP_``) and a ``.env`` file.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

# A platform's own API base-URL setting, derived from its registered name: CIVICLOOP_<PLATFORM>_API_URL.
API_URL_VARIABLE = re.compile(r"^CIVICLOOP_([A-Z0-9]+)_API_URL$", re.IGNORECASE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIVICLOOP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the SQLite database, secret key, queue")
    audit_checkpoint_dir: Path | None = Field(
        default=None, description="Folder of the signed audit checkpoints and their key; default DATA_DIR/audit"
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite file in data_dir")
    redis_url: str = Field(default="", description="Redis URL for the job queue; empty = SQLite queue")
    secret_key: str = Field(default="", description="Signs sessions, encrypts credentials; generated if empty")
    timezone: str = Field(default="Asia/Thimphu", description="Default IANA time zone for display and calendars")
    native_digits: bool = Field(
        default=False, description="Show numbers and dates on Dzongkha pages in Tibetan digits (༢༠༢༦ for 2026)"
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of this deployment")
    session_max_age_hours: int = Field(default=12, description="How long a login lasts")
    totp_required_roles: str = Field(
        default="agency_head,agency_admin,national_admin,auditor",
        description="Comma-separated roles whose holders must sign in with a TOTP code; empty = nobody",
    )
    oidc_issuer: str = Field(default="", description="OpenID Connect issuer URL for single sign-on; empty = off")
    oidc_client_id: str = Field(default="", description="This deployment's client id at the identity provider")
    oidc_client_secret: str = Field(default="", description="Its client secret")
    oidc_provision: bool = Field(
        default=False, description="Create an official without roles for an unknown email signed in by SSO"
    )
    login_max_failures: int = Field(default=5, description="Failed logins per email before throttling")
    login_max_failures_per_client: int = Field(
        default=20, description="Failed logins per client address (any emails) before throttling"
    )
    login_lockout_minutes: int = Field(default=15, description="Window and lockout length for failed logins")
    webhook_max_age_seconds: int = Field(
        default=300,
        ge=1,
        description="Seconds the timestamp of a push signed over its query may be from now; nonce single-use",
    )
    max_webhook_bytes: int = Field(default=1_048_576, description="Largest accepted webhook body")
    smtp_url: str = Field(default="", description="smtp://user:pass@host:port for email; empty = no email")
    mail_from: str = Field(default="civicloop@localhost", description="Sender address for email")
    mail_sink_dir: Path | None = Field(
        default=None,
        description="Folder of a local mail sink's .eml files, shown at /demo-mail (the demo's); never in production",
    )
    queue_name: str = Field(default="civicloop", description="Job queue name; distinct per deployment sharing Redis")
    jobs_immediate: bool = Field(default=False, description="Run jobs synchronously (tests only)")
    insecure_test_password_hashing: bool = Field(
        default=False, description="Hash passwords with Argon2's cheapest parameters (test suites only, never in use)"
    )
    workers: int = Field(default=2, description="Threads of the in-process job consumer under serve")
    analysis_campaign_min_size: int = Field(default=10, description="Near-identical messages that make a campaign")
    analysis_sample_size: int = Field(
        default=20_000,
        ge=100,
        description="Distinct messages the themes are fitted on; the quality embedder runs MiniLM on these only",
    )
    analysis_reanalyse_share: float = Field(
        default=0.2, description="Share of messages fitting no theme that triggers a full re-analysis"
    )
    analysis_reanalyse_min: int = Field(default=20, description="Fewest unassigned new messages before re-analysis")
    access_policy_refresh_seconds: float = Field(
        default=30.0, description="How often the Squid helper reloads the office access policy"
    )
    access_retention_days: int = Field(default=90, description="Days raw proxy log lines are kept")
    access_log_file: str = Field(default="", description="Squid access log imported every 5 minutes; empty = none")
    max_upload_bytes: int = Field(default=10_485_760, description="Largest consultation attachment or post image")
    max_media_bytes: int = Field(
        default=26_214_400, description="Largest image, video, voice note or file a citizen sends that is kept"
    )
    media_download: bool = Field(default=True, description="Download citizens' media right after ingest")
    media_store: str = Field(default="local", description="Where citizens' media is kept: local (data folder) or s3")
    s3_endpoint_url: str = Field(default="", description="S3-compatible endpoint for media, e.g. https://s3.example.bt")
    s3_bucket: str = Field(default="", description="Bucket media is kept in (path-style addressing)")
    s3_region: str = Field(default="us-east-1", description="Region signed into S3 requests (SigV4)")
    s3_access_key_id: str = Field(default="", description="Access key id for the S3-compatible store")
    s3_secret_access_key: str = Field(default="", description="Secret access key for the S3-compatible store")
    max_image_pixels: int = Field(
        default=50_000_000, description="Most pixels (width × height) of an uploaded image; larger ones are refused"
    )
    consultation_answers_per_hour: int = Field(
        default=20, description="Public consultation form submissions per address per hour"
    )
    api_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Base URL per platform (JSON: {platform: url}); CIVICLOOP_<PLATFORM>_API_URL takes precedence",
    )
    oauth_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Sign-in and token base URLs of the platforms' OAuth servers where they differ from the "
        "defaults (JSON keyed by <name>.dialog and <name>.token; docs/channels/connecting.md)",
    )
    platform_apps: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="This deployment's app on each platform, for connecting accounts (JSON: {app: {key: value}}; "
        "the apps and keys are in docs/channels/connecting.md)",
    )
    poll_budgets: dict[str, int] = Field(
        default_factory=dict,
        description="API quota units per account and day for platforms that are polled (JSON: {platform: units})",
    )
    outbound_max_attempts: int = Field(default=8, description="Send attempts before an outbound message fails")
    outbound_timeout_seconds: float = Field(default=15.0, description="Timeout of one platform API call")
    feedback_max_per_hour: int = Field(default=5, description="Web-form submissions per address per hour")

    # CIVICLOOP_<PLATFORM>_API_URL of every platform, read from the environment and the .env file.
    _own_api_urls: dict[str, str] = PrivateAttr(default_factory=dict)
    # Every CIVICLOOP_* variable (its name in upper case), for the settings a platform's folder declares.
    _variables: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        found: dict[str, str] = {}
        variables: dict[str, str] = {}
        env_file = Path(".env")
        sources: list[Mapping[str, str | None]] = [dotenv_values(env_file) if env_file.is_file() else {}, os.environ]
        for source in sources:  # the environment wins over the file
            for key, value in source.items():
                if value is not None and key.upper().startswith("CIVICLOOP_"):
                    variables[key.upper()] = value
                match = API_URL_VARIABLE.match(key)
                if match and value:
                    found[match.group(1).lower()] = value
        self._own_api_urls = found
        self._variables = variables

    def variable(self, name: str, default: str) -> str:
        """A setting that a platform's folder declares rather than this class: ``CIVICLOOP_<NAME>`` from the
        environment (or the .env file; the name in any case, as every setting), else ``default``."""
        return self._variables.get(f"CIVICLOOP_{name.upper()}", default)

    def api_url(self, platform: str, default: str) -> str:
        """A platform's API base URL: ``CIVICLOOP_<PLATFORM>_API_URL``, else its entry in
        ``CIVICLOOP_API_URLS``, else ``default`` (the public API its folder declares)."""
        return (self._own_api_urls.get(platform) or self.api_urls.get(platform) or default).rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'civicloop.db').resolve()}"

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, else one kept in ``data_dir/secret_key`` (created on first use)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (after the environment changed, e.g. in tests or the demo)."""
    get_settings.cache_clear()

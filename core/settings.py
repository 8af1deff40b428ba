"""Settings: one pydantic-settings class behind a cached ``get_settings()``.

Every value can come from the environment (prefix ``MBRAIN_``) or a ``.env`` file. Nothing reads the
environment at import time: callers ask ``get_settings()``, and tests clear its cache to override it.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LLM_ROLES = ("planner", "audience", "content", "call_script", "compliance")


class Settings(BaseSettings):
    """All configuration of one Marketing Brain deployment."""

    model_config = SettingsConfigDict(
        env_prefix="MBRAIN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default=Path("./var"), description="Every embedded store lives under this folder.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data dir."
    )

    bank_name: str = Field(default="示例银行股份有限公司", description="Legal display name of the bank.")
    bank_short_name: str = Field(default="示例银行", description="Short name used in copy and call openings.")
    sms_signature: str = Field(default="示例银行", description="Text inside 【】 at the start of every SMS.")
    bank_hotline: str = Field(default="400-000-0000", description="Customer-service hotline quoted in copy.")
    timezone: str = Field(default="Asia/Shanghai", description="The bank's time zone for calling hours.")
    calling_hours: str = Field(default="09:00-21:00", description="Window in which outbound calls may start.")
    dnc_days: int = Field(
        default=180, ge=180, description="Days a refused lead stays on the do-not-call list."
    )
    max_revisions: int = Field(
        default=2, ge=0, le=5, description="Revise rounds before a draft goes to review failed."
    )

    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL; none = offline mode."
    )
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"), description="Key for the LLM endpoint.")
    llm_model: str = Field(default="gpt-4o-mini", description="Default chat model for every role.")
    llm_model_planner: str | None = None
    llm_model_audience: str | None = None
    llm_model_content: str | None = None
    llm_model_call_script: str | None = None
    llm_model_compliance: str | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_price_input_per_mtok: float = Field(default=0.0, ge=0, description="USD per million prompt tokens.")
    llm_price_output_per_mtok: float = Field(
        default=0.0, ge=0, description="USD per million completion tokens."
    )

    @field_validator("calling_hours")
    @classmethod
    def _check_calling_hours(cls, value: str) -> str:
        parse_window(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def offline(self) -> bool:
        """True when no LLM endpoint is configured: every agent takes its deterministic path."""
        return not self.llm_base_url

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def calling_window(self) -> tuple[time, time]:
        return parse_window(self.calling_hours)

    def model_for(self, role: str) -> str:
        """Model name for an agent role, falling back to the default model."""
        if role not in LLM_ROLES:
            raise ValueError(f"unknown LLM role {role!r}; expected one of {LLM_ROLES}")
        override: str | None = getattr(self, f"llm_model_{role}")
        return override or self.llm_model

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mbrain.sqlite').resolve()}"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def tag_store_path(self) -> Path:
        return self.data_dir / "tags.duckdb"

    @property
    def kb_dir(self) -> Path:
        return self.data_dir / "kb"

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.data_dir / "tiktoken"


def parse_window(value: str) -> tuple[time, time]:
    """Parse ``HH:MM-HH:MM`` into a (start, end) pair; start must precede end."""
    try:
        start_text, end_text = (part.strip() for part in value.split("-"))
        start = time.fromisoformat(start_text)
        # "24:00" closes the day: a window may run to midnight, which time() cannot spell otherwise.
        end = time.max if end_text == "24:00" else time.fromisoformat(end_text)
    except ValueError as exc:
        raise ValueError(f"calling window {value!r} is not HH:MM-HH:MM") from exc
    if start >= end:
        raise ValueError(f"calling window {value!r} must start before it ends")
    return start, end


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()

"""Settings from the environment (CONTRACT §3)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPSAFE_", extra="ignore")

    database_url: str = "sqlite:///var/shopsafe.db"
    smtp_url: str | None = None
    mail_from: str = "Shopsafe <safety@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    var_dir: Path = DEFAULT_VAR

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once into `var/secret_key`."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n")
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

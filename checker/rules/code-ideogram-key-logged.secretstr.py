"""Settings typed SecretStr print as '**********'; only get_secret_value() exposes the key."""
import logging

from pydantic import SecretStr
from pydantic_settings import BaseSettings

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    ideogram_api_key: SecretStr
    ideogram_timeout_s: float = 60.0


settings = Settings()


def ok_secretstr_repr():
    # ok: code-ideogram-key-logged-py
    logger.info("settings loaded: key=%s timeout=%s", settings.ideogram_api_key, settings.ideogram_timeout_s)


def bad_secret_value():
    # ruleid: code-ideogram-key-logged-py
    logger.debug("key=%s", settings.ideogram_api_key.get_secret_value())


def bad_secret_value_prefix():
    raw = settings.ideogram_api_key.get_secret_value()
    # ruleid: code-ideogram-key-logged-py
    print(f"key starts with {raw[:6]}")

"""Settings from the environment: embedded defaults, and one clear line per bad value."""

import os
import subprocess
import sys

import pytest

from helpdesk.config import ConfigError
from helpdesk.config import from_environment


@pytest.fixture
def env(tmp_path):
    return {"HELPDESK_INSTANCE_PATH": str(tmp_path / "instance")}


def test_embedded_defaults_need_nothing(env, tmp_path):
    config = from_environment(env)
    assert config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'helpdesk.sqlite3'}"
    )
    assert config["HELPDESK_REDIS_URL"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["HELPDESK_TIMEZONE"] == "America/Mexico_City"
    assert config["BABEL_DEFAULT_LOCALE"] == "es_MX"
    assert config["HELPDESK_LOAD_PLUGINS"] is None
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_generated_secret_key_is_kept_between_starts(env, tmp_path):
    first = from_environment(env)["SECRET_KEY"]
    assert len(first) >= 32
    assert from_environment(env)["SECRET_KEY"] == first
    key_file = tmp_path / "instance" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_settings_are_read_from_the_environment(env):
    config = from_environment(
        {
            **env,
            "HELPDESK_DATABASE_URL": "postgresql://helpdesk@127.0.0.1:5432/test",
            "HELPDESK_REDIS_URL": "redis://127.0.0.1:6379/1",
            "HELPDESK_SECRET_KEY": "s" * 40,
            "HELPDESK_TIMEZONE": "America/Mazatlan",
            "HELPDESK_LOAD_PLUGINS": "soporte, portal",
            "HELPDESK_DISABLE_PLUGINS": "sample",
            "HELPDESK_SECURE_COOKIES": "1",
        }
    )
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://helpdesk@")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/1"
    assert config["SECRET_KEY"] == "s" * 40
    assert config["HELPDESK_TIMEZONE"] == "America/Mazatlan"
    assert config["HELPDESK_LOAD_PLUGINS"] == ["soporte", "portal"]
    assert config["HELPDESK_DISABLE_PLUGINS"] == ["sample"]
    assert config["SESSION_COOKIE_SECURE"] is True


def test_empty_load_plugins_means_none(env):
    assert from_environment({**env, "HELPDESK_LOAD_PLUGINS": ""})["HELPDESK_LOAD_PLUGINS"] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HELPDESK_DATABASE_URL", "not a url"),
        ("HELPDESK_DATABASE_URL", "mysql://root@localhost/test"),
        ("HELPDESK_REDIS_URL", "http://127.0.0.1:6379"),
        ("HELPDESK_SECRET_KEY", "short"),
        ("HELPDESK_TIMEZONE", "Mars/Olympus_Mons"),
        ("HELPDESK_LOCALE", "fr"),
        ("HELPDESK_SECURE_COOKIES", "maybe"),
        ("HELPDESK_LOGIN_RATE_LIMIT", "lots"),
        ("HELPDESK_LOAD_PLUGINS", "good, b@d"),
        ("HELPDESK_STAGED_UPLOAD_HOURS", "0"),
        ("HELPDESK_STAGED_UPLOAD_HOURS", "un día"),
    ],
)
def test_malformed_setting_is_named_in_one_line(env, name, value):
    with pytest.raises(ConfigError) as excinfo:
        from_environment({**env, name: value})
    message = str(excinfo.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message


def test_console_script_stops_with_one_clear_line(tmp_path):
    environment = {
        **os.environ,
        "HELPDESK_INSTANCE_PATH": str(tmp_path),
        "HELPDESK_TIMEZONE": "Mars/Olympus_Mons",
    }
    script = os.path.join(os.path.dirname(sys.executable), "helpdesk")
    result = subprocess.run(
        [script, "plugins"], capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "HELPDESK_TIMEZONE" in lines[0] and "Mars/Olympus_Mons" in lines[0]

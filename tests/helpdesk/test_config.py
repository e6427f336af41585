"""Settings from the environment: embedded defaults, and one clear line per bad value."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.config import SETTINGS
from helpdesk.config import ConfigError
from helpdesk.config import from_environment
from helpdesk.config.__main__ import main as config_command
from helpdesk.config.markdown import BEGIN
from helpdesk.config.markdown import COMMAND
from helpdesk.config.markdown import END
from helpdesk.config.markdown import markdown_table
from helpdesk.config.markdown import table_in

ROOT = Path(__file__).resolve().parents[2]


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


# --- the declaration and the README (issue 16) ---------------------------------------------


def test_the_readme_table_is_the_declaration():
    written = table_in((ROOT / "README.md").read_text(encoding="utf-8"))
    assert written == markdown_table(), (
        f"README.md's configuration table differs from helpdesk/config/declaration.py; "
        f"regenerate it with `{COMMAND}`"
    )


def test_every_variable_read_from_the_environment_is_declared():
    read_somewhere = re.compile(r"""(?:environ\.get\(|environ\[|getenv\()\s*["'](HELPDESK_\w+)""")
    names = {
        name
        for path in [*ROOT.glob("helpdesk/**/*.py"), *ROOT.glob("plugins/**/*.py")]
        for name in read_somewhere.findall(path.read_text(encoding="utf-8"))
        if not name.startswith("HELPDESK_TEST_")  # the test suite's own, see "Tests"
    }
    assert "HELPDESK_PORTAL_LINK_TIMEOUT" in names  # the scan does see something
    assert names <= {setting.name for setting in SETTINGS}


def test_each_variable_and_config_key_is_declared_once():
    names = [setting.name for setting in SETTINGS]
    keys = [key for setting in SETTINGS for key in setting.keys]
    assert len(names) == len(set(names))
    assert len(keys) == len(set(keys))
    assert all(name.startswith("HELPDESK_") for name in names)


def test_every_declared_setting_is_read(env):
    config = from_environment(env)
    for setting in SETTINGS:
        if setting.read_by is None:
            assert all(key in config for key in setting.keys), setting.name


def test_base_url_is_documented_and_read(env):
    assert from_environment(env)["HELPDESK_BASE_URL"] == "http://127.0.0.1:5000"
    config = from_environment({**env, "HELPDESK_BASE_URL": "https://mesa.chalco.gob.mx/"})
    assert config["HELPDESK_BASE_URL"] == "https://mesa.chalco.gob.mx"
    with pytest.raises(ConfigError, match=r"^HELPDESK_BASE_URL: «ftp://x» debe empezar"):
        from_environment({**env, "HELPDESK_BASE_URL": "ftp://x"})
    assert "`HELPDESK_BASE_URL`" in markdown_table()


def test_a_plugin_setting_is_documented_but_left_to_the_plugin(env):
    # The portal plugin logs a wrong value and goes on; start-up must not stop.
    config = from_environment({**env, "HELPDESK_PORTAL_LINK_TIMEOUT": "mucho"})
    assert "HELPDESK_PORTAL_LINK_TIMEOUT" not in config
    assert "`HELPDESK_PORTAL_LINK_TIMEOUT`" in markdown_table()


def test_the_command_rewrites_only_the_table(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{BEGIN}\n| stale |\n{END}\n\nAfter.\n")
    assert config_command(["--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith(f"# Title\n\nBefore.\n\n{BEGIN}\n| variable |")
    assert text.endswith(f"|\n{END}\n\nAfter.\n")
    assert table_in(text) == markdown_table()
    assert config_command(["--markdown"]) == 0
    assert capsys.readouterr().out.endswith(markdown_table())
    readme.write_text("no markers\n")
    assert config_command(["--readme", str(readme)]) == 1


# --- for `helpdesk serve` (issue 16) --------------------------------------------------------


def test_serve_settings_have_defaults(env):
    config = from_environment(env)
    assert config["HELPDESK_PROXY_HOPS"] == 0
    assert config["HELPDESK_WORKERS"] == 0
    assert config["HELPDESK_WORKER_TIMEOUT"] == 60
    assert config["HELPDESK_BIND"] == "127.0.0.1:8000"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("HELPDESK_PROXY_HOPS", "2", 2),
        ("HELPDESK_WORKERS", "9", 9),
        ("HELPDESK_WORKER_TIMEOUT", "3600", 3600),
        ("HELPDESK_BIND", " 0.0.0.0:80 ", "0.0.0.0:80"),
        ("HELPDESK_BIND", "mesa.chalco.gob.mx:8443", "mesa.chalco.gob.mx:8443"),
        ("HELPDESK_BIND", "[::1]:8000", "[::1]:8000"),
        ("HELPDESK_BIND", "unix:/run/helpdesk.sock", "unix:/run/helpdesk.sock"),
    ],
)
def test_serve_settings_are_read(env, name, value, expected):
    assert from_environment({**env, name: value})[name] == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HELPDESK_PROXY_HOPS", "11"),
        ("HELPDESK_PROXY_HOPS", "-1"),
        ("HELPDESK_WORKERS", "65"),
        ("HELPDESK_WORKERS", "muchos"),
        ("HELPDESK_WORKER_TIMEOUT", "4"),
        ("HELPDESK_WORKER_TIMEOUT", "3601"),
        ("HELPDESK_BIND", "8000"),
        ("HELPDESK_BIND", "127.0.0.1"),
        ("HELPDESK_BIND", "127.0.0.1:0"),
        ("HELPDESK_BIND", "127.0.0.1:65536"),
        ("HELPDESK_BIND", "999.1.1.1:8000"),
        ("HELPDESK_BIND", "[nope]:8000"),
        ("HELPDESK_BIND", "unix:relative.sock"),
        ("HELPDESK_BIND", "unix:/"),
        ("HELPDESK_BIND", "http://127.0.0.1:8000"),
    ],
)
def test_a_malformed_serve_setting_is_named_in_one_line(env, name, value):
    with pytest.raises(ConfigError) as excinfo:
        from_environment({**env, name: value})
    message = str(excinfo.value)
    assert message.startswith(f"{name}: ") and "\n" not in message


# --- the generated secret key (issue 16: tests left ./instance/secret_key) -----------------


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """An empty working directory and no key or instance folder from the environment."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("HELPDESK_SECRET_KEY", raising=False)
    monkeypatch.delenv("HELPDESK_INSTANCE_PATH", raising=False)
    return folder


def test_an_app_given_a_secret_key_writes_nothing_in_the_working_directory(cwd, tmp_path):
    from helpdesk import create_app
    from helpdesk.testing import make_test_config

    config = make_test_config(tmp_path / "test")
    app = create_app(config)
    assert app.config["SECRET_KEY"] == config["SECRET_KEY"]
    assert list(cwd.iterdir()) == []
    assert not (Path(config["INSTANCE_PATH"]) / "secret_key").exists()


def test_an_app_without_a_key_keeps_one_under_the_given_instance_path(cwd, tmp_path):
    from helpdesk import create_app
    from helpdesk.testing import make_test_config

    config = make_test_config(tmp_path / "test")
    del config["SECRET_KEY"]
    app = create_app(config)
    key_file = Path(config["INSTANCE_PATH"]) / "secret_key"
    assert key_file.read_text() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 32
    assert list(cwd.iterdir()) == []


def test_the_overrides_instance_path_is_where_derived_defaults_go(env, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    config = from_environment(env, overrides={"INSTANCE_PATH": str(elsewhere)})
    assert config["INSTANCE_PATH"] == str(elsewhere)
    assert config["SECRET_KEY"] == (elsewhere / "secret_key").read_text()
    assert config["HELPDESK_MAIL_FOLDER"] == str(elsewhere / "mail")
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{elsewhere / 'helpdesk.sqlite3'}"
    assert not (tmp_path / "instance").exists()


def test_overrides_win_and_an_overridden_key_is_not_generated(env, tmp_path):
    config = from_environment(env, overrides={"SECRET_KEY": "k" * 20, "HELPDESK_QUEUE": "q"})
    assert (config["SECRET_KEY"], config["HELPDESK_QUEUE"]) == ("k" * 20, "q")
    assert not (tmp_path / "instance").exists()
    # The variable itself is still checked, as before.
    with pytest.raises(ConfigError, match="^HELPDESK_SECRET_KEY: "):
        from_environment(
            {**env, "HELPDESK_SECRET_KEY": "short"}, overrides={"SECRET_KEY": "k" * 20}
        )


def test_the_default_instance_folder_is_under_the_working_directory_of_the_call(cwd):
    config = from_environment({})
    assert config["INSTANCE_PATH"] == str(cwd / "instance")
    assert (cwd / "instance" / "secret_key").read_text() == config["SECRET_KEY"]

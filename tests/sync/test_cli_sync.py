"""IT's commands: central init / add-store / add-terminal / demo, provision, sync now."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from app.cli import run_command
from app.paths import AppPaths
from app.settings import load_settings
from app.sync.central_schema import role_name
from app.sync.secrets import load_password, secret_file

pytestmark = pytest.mark.postgres


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_it_sets_up_a_centre_and_a_terminal_from_the_command_line(
    pg_url: str, tmp_path: Path
) -> None:
    assert _run("central", "init", "--url", pg_url)[0] == 0
    code, out, _ = _run("central", "init", "--url", pg_url)  # again: an upgrade, no change
    assert code == 0 and "ready" in out
    assert _run("central", "demo", "--url", pg_url, "--store", "S001")[0] == 0
    secret = tmp_path / "s001.password"
    code, out, _ = _run(
        "central", "add-store", "--url", pg_url, "--store", "S001", "--password-file", str(secret)
    )
    assert code == 0 and "password written" in out
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert _run("central", "add-terminal", "--url", pg_url, "--store", "S001",
                "--terminal", "T01")[0] == 0  # fmt: skip

    home = tmp_path / "home"
    base = pg_url.split("@", 1)[1]
    code, out, err = _run(
        "--home", str(home), "provision", "--store", "S001", "--terminal", "T01",
        "--central-url", f"postgresql://{role_name('S001')}@{base}",
        "--password-file", str(secret),
    )  # fmt: skip
    assert code == 0, err
    paths = AppPaths.under(home)
    loaded = load_settings(paths, env={})
    assert loaded.settings.store.id == "S001" and loaded.settings.central.url.startswith(
        "postgresql://storedesk_store_s001@"
    )
    # No keyring on this machine: the file fallback, readable by its owner only.
    assert stat.S_IMODE(secret_file(paths).stat().st_mode) == 0o600
    assert load_password(paths, "S001") == secret.read_text().strip()
    assert secret.read_text().strip() not in paths.machine_config.read_text()

    code, out, err = _run("--home", str(home), "sync", "now")
    assert code == 0, err
    assert "pulled" in out
    code, out, err = _run("--home", str(home), "sync", "status")
    assert code == 0 and "waiting: 0" in out


def _provision(home: str, store: str, url: str, secret: Path) -> tuple[int, str, str]:
    return _run("--home", home, "provision", "--store", store, "--terminal", "T01",
                "--central-url", url, "--password-file", str(secret))  # fmt: skip


def test_bad_provisioning_is_refused_with_the_reason(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("")
    home = str(tmp_path / "home")
    code, _, err = _provision(home, "S 1", "postgresql://r@h/db", secret)
    assert code == 1 and "Store id 'S 1' is not valid" in err
    code, _, err = _provision(home, "S001", "postgresql://r:pw@h/db", secret)
    assert code == 1 and "Leave the password out" in err
    code, _, err = _provision(home, "S001", "postgresql://r@h/db", secret)
    assert code == 1 and "is empty" in err
    assert not AppPaths.under(Path(home)).machine_config.exists()


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    paths.ensure_dirs()
    target = secret_file(paths)
    target.write_text("s3cret")
    os.chmod(target, 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_password(paths, "S001")


def test_sync_commands_on_a_terminal_that_is_not_provisioned(tmp_path: Path) -> None:
    code, _, err = _run("--home", str(tmp_path), "sync", "now")
    assert code == 1 and "not provisioned" in err

#!/usr/bin/env python3
"""Make sure the PostgreSQL server the tests use is reachable; install/start it if we can.

The address comes from STOREDESK_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
On a Debian/Ubuntu machine where we are root, a missing server is installed with apt-get and
started with pg_ctlcluster, and trust auth on localhost is set for the test role. Elsewhere
this prints what to do. Exit code 0 when the server answers, 1 otherwise (in CI the tests
then fail rather than skip).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def reachable(url: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def start_clusters() -> None:
    for conf in glob.glob("/etc/postgresql/*/main"):
        version = conf.split("/")[3]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
        )


def trust_local(version_dir: str) -> None:
    hba = os.path.join(version_dir, "main", "pg_hba.conf")
    line = "host all all 127.0.0.1/32 trust\n"
    with open(hba, encoding="utf-8") as fh:
        content = fh.read()
    if line not in content:
        with open(hba, "w", encoding="utf-8") as fh:
            fh.write(line + content)


def install_debian() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
    for version_dir in glob.glob("/etc/postgresql/*"):
        trust_local(version_dir)


def main() -> int:
    url = os.environ.get("STOREDESK_TEST_PG_URL", DEFAULT_URL)
    if reachable(url):
        print(f"[storedesk] PostgreSQL is reachable at {url.rsplit('@', 1)[-1]}")
        return 0
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and shutil.which("apt-get"):
        if not glob.glob("/etc/postgresql/*/main"):
            print("[storedesk] installing PostgreSQL (apt-get)")
            install_debian()
        print("[storedesk] starting PostgreSQL")
        start_clusters()
        for _ in range(30):
            if reachable(url):
                print("[storedesk] PostgreSQL is up")
                return 0
            time.sleep(1)
    print(
        f"[storedesk] PostgreSQL is not reachable at {url}. Install and start it (see README, "
        "'PostgreSQL for the tests') or set STOREDESK_TEST_PG_URL.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""A throwaway PostgreSQL + PostGIS cluster for the server tests.

initdb in a temporary folder (as the `postgres` user when the tests run as root: PostgreSQL
refuses to run as root), password (scram) authentication only, listening on 127.0.0.1 at a
free port; stopped and deleted afterwards, even when a test fails. `missing()` says why
there can be none (the Debian packages `postgresql` and `postgresql-15-postgis-3` absent);
tests skip with that reason then, and only then. The benchmark starts one the same way
(bench/bench_server.py), in a venv without pytest: the fixtures exist only where pytest does.
"""
from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

try:
    import pytest
except ImportError:   # the bench's venv
    pytest = None

ADMIN = "atlas_admin"


def _bindir() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"):
        for found in sorted(glob.glob(pattern), reverse=True):   # the newest version first
            if (Path(found) / "initdb").exists() and (Path(found) / "pg_ctl").exists():
                return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing() -> str | None:
    """Why no throwaway cluster can start here, or None when one can."""
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql postgresql-15-postgis-3)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    share = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True)
    sharedir = Path(share.stdout.strip()) if share.returncode == 0 else None
    if sharedir is None or not (sharedir / "extension" / "postgis.control").exists():
        return "PostGIS is not installed (Debian: apt-get install postgresql-15-postgis-3)"
    if os.geteuid() == 0:
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One running throwaway cluster; `admin_url()` is its superuser."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.data = self.folder / "data"
        self._as_root = os.geteuid() == 0
        self._started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def start(self) -> Cluster:
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_root:
            shutil.chown(self.folder, "postgres")
            shutil.chown(pwfile, "postgres")
        os.chmod(pwfile, 0o600)
        self._run(self.bindir / "initdb", "-D", self.data, "-U", ADMIN, "--pwfile", pwfile,
                  "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C")
        pwfile.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._started = True   # from here on stop() must run, even if start fails half-way
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "log",
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if self._started:
            try:
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
            self._started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, user: str = ADMIN, password: str | None = None, dbname: str = "postgres") -> str:
        password = self.password if password is None and user == ADMIN else password
        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{quote(dbname, safe='')}"

    def admin(self, dbname: str = "postgres"):
        import psycopg
        return psycopg.connect(self.url(dbname=dbname), autocommit=True)

    def create_database(self, name: str, postgis: bool = True, owner: str | None = None) -> str:
        """A fresh database (PostGIS in it unless told otherwise); returns its name."""
        from psycopg import sql
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            if owner:
                conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(owner)))
        if postgis:
            with self.admin(name) as conn:
                conn.execute("CREATE EXTENSION postgis")
        return name

    def create_role(self, name: str, password: str | None = None, createdb: bool = False) -> str:
        """A login role with a throwaway password; returns the password."""
        from psycopg import sql
        password = password or secrets.token_urlsafe(12)
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}" + (" CREATEDB" if createdb else "")).format(
                sql.Identifier(name), sql.Literal(password)))
        return password


if pytest is not None:
    @pytest.fixture(scope="session")
    def postgis_cluster():
        """The session's throwaway cluster (skips, naming why, where PostgreSQL/PostGIS are absent)."""
        reason = missing()
        if reason:
            pytest.skip(reason)
        cluster = Cluster()
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()

    _databases = iter(range(1, 1_000_000))

    @pytest.fixture
    def server(postgis_cluster):
        """A fresh PostGIS database for one test, owned by a non-superuser role `owner` (who
        publishes): (cluster, dbname, owner, owner's password)."""
        n = next(_databases)
        owner = f"owner{n}"
        password = postgis_cluster.create_role(owner)
        dbname = postgis_cluster.create_database(f"atlas{n}", owner=owner)
        return postgis_cluster, dbname, owner, password

"""Reaching the team server: a postgresql:// URL, a libpq conninfo string or a service name
(~/.pg_service.conf), with the password typed in (never stored) or found by libpq itself
(~/.pgpass, PGPASSWORD). TLS settings (sslmode, sslrootcert…) in the URL or the service
pass through to libpq untouched.

Whatever goes wrong becomes one line naming the cause, with no password in it.
"""
from __future__ import annotations

import re

import psycopg
from psycopg import conninfo

from models.errors import CatalogueError


class ServerError(CatalogueError):
    """The server refused or could not be reached; str() is one line without secrets."""


def conninfo_for(target: str) -> str:
    """The libpq conninfo for what the user typed: a URL or conninfo as it is, else a service name."""
    target = target.strip()
    if not target:
        raise ServerError("no server given: a postgresql:// URL or a service name")
    if "://" in target or "=" in target:
        try:
            conninfo.conninfo_to_dict(target)
        except psycopg.ProgrammingError:
            raise ServerError("the server address is not a valid postgresql:// URL or conninfo") from None
        return target
    return conninfo.make_conninfo(service=target)


def without_password(target: str) -> str:
    """The target as it may be remembered: any password taken out of the URL or conninfo."""
    try:
        parts = conninfo.conninfo_to_dict(conninfo_for(target))
    except (ServerError, psycopg.ProgrammingError):
        return ""
    if "password" not in parts:
        return target
    parts.pop("password")
    return conninfo.make_conninfo(**parts)


def describe(target: str) -> str:
    """Where the target points, for messages: user@host:port/dbname or the service, no password."""
    try:
        parts = conninfo.conninfo_to_dict(conninfo_for(target))
    except (ServerError, psycopg.ProgrammingError):
        return "the server"
    if "service" in parts and "host" not in parts:
        return f"service {parts['service']}"
    where = parts.get("host", "localhost") + (f":{parts['port']}" if parts.get("port") else "")
    who = f"{parts['user']}@" if parts.get("user") else ""
    return f"{who}{where}/{parts.get('dbname', '')}".rstrip("/")


def connect(target: str, password: str | None = None, **kwargs) -> psycopg.Connection:
    info = conninfo_for(target)
    extra = {"password": password} if password else {}
    try:
        return psycopg.connect(info, connect_timeout=10, application_name="Partnership Atlas", **extra, **kwargs)
    except psycopg.Error as e:
        raise ServerError(explain(e, target, password)) from None


_URL_SECRET = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@")
_KV_SECRET = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)


def scrub(text: str, password: str | None = None, target: str | None = None) -> str:
    """The text without any password: typed, in a URL, or in a conninfo."""
    if password:
        text = text.replace(password, "***")
    if target:
        try:
            secret = conninfo.conninfo_to_dict(conninfo_for(target)).get("password")
        except (ServerError, psycopg.ProgrammingError):
            secret = None
        if secret:
            text = text.replace(secret, "***")
    text = _URL_SECRET.sub(r"\1***@", text)
    return _KV_SECRET.sub(r"\1***", text)


# SQLSTATEs a user can act on, and the line they read.
_STATES = {
    "28P01": "{where} refused the password",
    "28000": "{where} refused the login: {detail}",
    "3D000": "{where}: no such database",
    "42501": "no permission on {where}: {detail}",
    "53100": "the server's disk is full; nothing was changed",
    "53200": "the server ran out of memory; nothing was changed",
    "57014": "cancelled; nothing was changed on the server",
    "40001": "{detail}",
    "23503": "the server refused: {detail} (rows others added on the server refer to it; pull first)",
    "23505": "the server refused: {detail} (someone added the same on the server; pull first)",
}


def explain(e: psycopg.Error, target: str, password: str | None = None) -> str:
    """One line for a psycopg error, naming the cause, never a password."""
    where = describe(target)
    state = getattr(e, "sqlstate", None)
    diag = getattr(e, "diag", None)
    detail = (diag.message_primary if diag is not None and diag.message_primary else str(e)).strip()
    if diag is not None and diag.message_detail and state in ("23503", "23505"):
        detail = f"{detail}; {diag.message_detail}"
    if state in _STATES:
        line = _STATES[state].format(where=where, detail=detail)
    elif isinstance(e, psycopg.OperationalError) and state is None:
        line = _connection_failure(str(e), where)
    else:
        line = f"the server refused: {detail}"
    line = " ".join(scrub(line, password, target).split())   # one line
    return line


def _connection_failure(text: str, where: str) -> str:
    if "password authentication failed" in text:
        return f"{where} refused the password"
    if "no password supplied" in text or "fe_sendauth" in text:
        return f"{where} needs a password"
    if "does not exist" in text and "database" in text:
        return f"{where}: no such database"
    if "definition of service" in text or "service file" in text:
        return f"no service named in {where} (see ~/.pg_service.conf)"
    if "Connection refused" in text or "could not connect" in text or "timeout expired" in text:
        return f"cannot reach {where}: is the server running and the address right?"
    if "SSL" in text or "certificate" in text:
        return f"a secure connection to {where} failed: {text.splitlines()[-1].strip()}"
    last = [line.strip() for line in text.splitlines() if line.strip()]
    return f"cannot connect to {where}: {last[-1] if last else 'unknown error'}"

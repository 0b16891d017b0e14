"""Fetching the people file: over HTTPS (httpx) or SFTP (paramiko), with a specific reason
whenever it cannot be had. The SFTP server's host key is pinned: recorded on first use,
then required to match."""

from __future__ import annotations

import base64
import hashlib
import io
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import paramiko
from django.conf import settings
from django.utils.translation import gettext as _

from alongside.core.net import is_private_host

USER_AGENT = "Alongside-HR-sync/1"


class SourceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HttpsSource:
    url: str
    auth: str = "none"  # none | bearer | basic
    username: str = ""
    secret: str = ""


@dataclass(frozen=True)
class SftpSource:
    host: str
    port: int
    path: str
    username: str
    password: str = ""
    private_key: str = ""
    host_key: str = ""  # "<type> <base64>", empty until first use


@dataclass(frozen=True)
class Fetched:
    data: bytes
    host_key: str = ""  # the SFTP key seen, to pin on first use
    host_key_fingerprint: str = ""


def _limit() -> int:
    return int(settings.PEOPLE_IMPORT_MAX_BYTES)


def _too_large() -> SourceError:
    return SourceError(
        _("The file is larger than %(limit)d MB; split it or raise PEOPLE_IMPORT_MAX_BYTES.")
        % {"limit": _limit() // (1024 * 1024)}
    )


def fetch_https(source: HttpsSource) -> Fetched:
    parts = urlsplit(source.url)
    host = parts.hostname or ""
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and is_private_host(host):
        raise SourceError(
            _("%(host)s resolves to a private network address, which is not allowed.")
            % {"host": host}
        )
    headers = {"User-Agent": USER_AGENT, "Accept": "text/csv, */*"}
    auth: tuple[str, str] | None = None
    if source.auth == "bearer":
        headers["Authorization"] = f"Bearer {source.secret}"
    elif source.auth == "basic":
        auth = (source.username, source.secret)
    try:
        with (
            httpx.Client(
                timeout=settings.INTEGRATION_TIMEOUT_SECONDS, follow_redirects=False
            ) as client,
            client.stream("GET", source.url, headers=headers, auth=auth) as response,
        ):
            if response.status_code in (401, 403):
                raise SourceError(
                    _("%(host)s refused the credentials (HTTP %(code)d).")
                    % {"host": host, "code": response.status_code}
                )
            if response.status_code == 404:
                raise SourceError(
                    _("There is no file at %(url)s (HTTP 404).") % {"url": source.url}
                )
            if response.status_code != 200:
                raise SourceError(
                    _("%(host)s answered HTTP %(code)d instead of the file.")
                    % {"host": host, "code": response.status_code}
                )
            chunks = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > _limit():
                    raise _too_large()
                chunks.append(chunk)
    except httpx.TimeoutException as error:
        raise SourceError(
            _("%(host)s did not answer within %(seconds)d seconds.")
            % {"host": host, "seconds": int(settings.INTEGRATION_TIMEOUT_SECONDS)}
        ) from error
    except httpx.HTTPError as error:
        raise SourceError(
            _("%(host)s could not be reached: %(error)s")
            % {"host": host, "error": str(error) or error.__class__.__name__}
        ) from error
    return Fetched(b"".join(chunks))


def load_private_key(text: str) -> paramiko.PKey:
    """An OpenSSH or PEM private key (Ed25519, ECDSA or RSA), unencrypted."""
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text.strip() + "\n"))
        except (paramiko.SSHException, ValueError, IndexError):
            continue
    raise SourceError(
        _("The private key could not be read: give an unencrypted OpenSSH or PEM key.")
    )


def fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def fetch_sftp(source: SftpSource) -> Fetched:
    where = f"{source.host}:{source.port}"
    timeout = settings.INTEGRATION_TIMEOUT_SECONDS
    try:
        sock = socket.create_connection((source.host, source.port), timeout=timeout)
    except OSError as error:
        raise SourceError(
            _("The SFTP server %(where)s could not be reached: %(error)s")
            % {"where": where, "error": error.strerror or error}
        ) from error
    transport = paramiko.Transport(sock)
    transport.banner_timeout = timeout
    transport.auth_timeout = timeout
    try:
        try:
            transport.start_client(timeout=timeout)
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise SourceError(
                _("%(where)s does not speak SSH: %(error)s") % {"where": where, "error": error}
            ) from error
        server_key = transport.get_remote_server_key()
        seen = f"{server_key.get_name()} {server_key.get_base64()}"
        seen_fingerprint = fingerprint(server_key)
        if source.host_key and source.host_key.strip() != seen:
            raise SourceError(
                _(
                    "The SFTP server's host key has changed (it shows %(seen)s): nothing was "
                    "fetched. If the server was replaced on purpose, forget the recorded key "
                    "on the HR sync page and run again."
                )
                % {"seen": seen_fingerprint}
            )
        try:
            if source.private_key:
                transport.auth_publickey(source.username, load_private_key(source.private_key))
            else:
                transport.auth_password(source.username, source.password)
        except paramiko.AuthenticationException as error:
            raise SourceError(
                _("The SFTP server refused the user name %(user)s with this %(what)s.")
                % {
                    "user": source.username,
                    "what": _("private key") if source.private_key else _("password"),
                }
            ) from error
        except paramiko.SSHException as error:
            raise SourceError(
                _("Signing in to the SFTP server failed: %(error)s") % {"error": error}
            ) from error
        sftp = paramiko.SFTPClient.from_transport(transport)
        if sftp is None:
            raise SourceError(_("The SFTP server did not open an SFTP session."))
        try:
            size = sftp.stat(source.path).st_size or 0
            if size > _limit():
                raise _too_large()
            with sftp.open(source.path, "rb") as handle:
                data = handle.read(_limit() + 1)
        except FileNotFoundError as error:
            raise SourceError(
                _("There is no file %(path)s on the SFTP server.") % {"path": source.path}
            ) from error
        except PermissionError as error:
            raise SourceError(
                _("The SFTP user may not read %(path)s.") % {"path": source.path}
            ) from error
        except OSError as error:
            raise SourceError(
                _("%(path)s could not be read: %(error)s") % {"path": source.path, "error": error}
            ) from error
        if len(data) > _limit():
            raise _too_large()
        return Fetched(bytes(data), host_key=seen, host_key_fingerprint=seen_fingerprint)
    finally:
        transport.close()

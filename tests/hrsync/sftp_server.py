"""A real SFTP server on 127.0.0.1 for the tests (asyncssh), serving one directory.

It accepts the user ``hr`` with the password given, or with the client key given; its
own host key is generated for each server, so a second server is a "replaced" host.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

USER = "hr"


@dataclass
class SftpServer:
    port: int
    root: Path
    host_key: asyncssh.SSHKey
    client_key: asyncssh.SSHKey

    @property
    def host_key_line(self) -> str:
        return self.host_key.export_public_key("openssh").decode().strip()

    @property
    def client_private_key(self) -> str:
        return self.client_key.export_private_key("openssh").decode()


@contextmanager
def running(root: Path, password: str = "s3cret-pass") -> Iterator[SftpServer]:
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, given: str) -> bool:
            return username == USER and given == password

        def public_key_auth_supported(self) -> bool:
            return True

        def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
            return username == USER and key.public_data == client_key.public_data

    class Files(asyncssh.SFTPServer):
        def __init__(self, chan: Any) -> None:
            super().__init__(chan, chroot=str(root).encode())

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def listen() -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            Server,
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            sftp_factory=Files,
            allow_scp=False,
        )

    server = asyncio.run_coroutine_threadsafe(listen(), loop).result(timeout=10)
    port = server.sockets[0].getsockname()[1]
    try:
        yield SftpServer(port=port, root=root, host_key=host_key, client_key=client_key)
    finally:
        server.close()

        async def settle() -> None:
            await server.wait_closed()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(settle(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

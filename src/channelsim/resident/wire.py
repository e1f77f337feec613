"""Messages between ``channelsim run`` and the resident engine: a 4-byte length, then JSON.

JSON rather than pickle: the messages are plain (arguments, environment, exit code), and a
peer that is not what it claims (the socket is private to the user, and peers' credentials are
checked, but still) can make the other side do nothing but read a dictionary. File
descriptors (the caller's stdin, stdout and stderr) travel with the first message.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any

MAX_BYTES = 8 * 1024 * 1024
"""The largest message read (an environment of a few kB is the largest one sent)."""

_LENGTH = struct.Struct(">I")


class WireError(Exception):
    """The peer closed the connection, or sent something that is not a message."""


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """Send ``message`` (and ``fds``, if any) as one frame."""
    data = json.dumps(message).encode()
    frame = _LENGTH.pack(len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [frame], fds)
        frame = frame[sent:]
    if frame:  # sendall(b"") still sends: EPIPE if the peer has answered and closed meanwhile
        sock.sendall(frame)


def receive(sock: socket.socket, max_fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """The next message and the file descriptors that came with it (at most ``max_fds``:
    any more are closed and the message refused). Raises :class:`WireError` on a closed
    connection or a malformed frame, ``TimeoutError`` after the socket's timeout."""
    fds: list[int] = []
    try:
        header = _read(sock, _LENGTH.size, fds, max_fds)
        (length,) = _LENGTH.unpack(header)
        if length > MAX_BYTES:
            raise WireError(f"a message of {length} bytes")
        data = _read(sock, length, fds, max_fds)
        message = json.loads(data)
        if not isinstance(message, dict):
            raise WireError("not a message")
    except (WireError, ValueError, OSError) as error:
        for fd in fds:
            os.close(fd)
        if isinstance(error, WireError | TimeoutError):
            raise
        raise WireError(str(error)) from None
    return message, fds


def _read(sock: socket.socket, size: int, fds: list[int], max_fds: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        if max_fds:
            chunk, more, flags, _ = socket.recv_fds(sock, size - got, max_fds)
            fds += more
            if flags & getattr(socket, "MSG_CTRUNC", 0) or len(fds) > max_fds:
                raise WireError("more file descriptors than expected")
        else:
            chunk = sock.recv(size - got)
        if not chunk:
            raise WireError("the connection was closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)

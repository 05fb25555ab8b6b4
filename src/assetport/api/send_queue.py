"""What waits to reach a client: the bytes its socket's kernel send queue still holds
(Linux's SIOCOUTQ, the same number as the tty `TIOCOUTQ`) plus what the transport buffers.

A client that stops reading first fills the kernel's buffer (auto-tuned up to megabytes),
and only then the transport's: counting the transport's alone, as asyncio's flow control
does, notices it late and lets every such client tie up megabytes of kernel memory. The
WebSocket connections bound their kernel buffer (`limit_send_buffer`) and drop a client
whose queue passes `ws_max_queued_bytes`. Where the ioctl does not exist the kernel's part
counts as 0.
"""

import array
import contextlib
import fcntl
import socket
import termios
from asyncio import Transport
from typing import Final

_OUTQ: Final = getattr(termios, "TIOCOUTQ", None)
_answer: Final = array.array("i", [0])  # the ioctl's out-parameter (one event loop thread)


def limit_send_buffer(transport: Transport, size: int) -> int:
    """Set the socket's kernel send buffer to `size` bytes (Linux keeps twice that for its
    bookkeeping); answer the socket's descriptor (-1 for none)."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return -1
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
    return int(sock.fileno())


def unsent_in_kernel(fd: int) -> int:
    """Bytes written to socket `fd` that the peer has not acknowledged yet."""
    if fd < 0 or _OUTQ is None:
        return 0
    try:
        fcntl.ioctl(fd, _OUTQ, _answer)
    except OSError:
        return 0
    return _answer[0]


def too_much_queued(transport: Transport, fd: int, limit: int) -> bool:
    """Whether more than `limit` bytes written to the client wait to be read by it.

    The kernel is asked only once the transport holds something: until the kernel's send
    buffer is full, every write goes straight into it, and that buffer is bounded
    (`limit_send_buffer`) well below the limit (`TransportLimits`). So the common case, a
    client that keeps up, costs no system call per write."""
    buffered = transport.get_write_buffer_size()
    return buffered > 0 and buffered + unsent_in_kernel(fd) > limit

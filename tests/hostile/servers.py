"""Misbehaving HTTP editor servers on 127.0.0.1, started and stopped by the caller.

``MisbehavingServer(mode)`` answers every POST in one of these ways:

- ``hang``: reads the request, never answers;
- ``drip``: sends a valid status line and headers, then one byte of body every 50 ms, forever;
- ``endless``: a 200 with no Content-Length, then body bytes as fast as the socket takes them;
- ``huge``: announces a 10 GB Content-Length and streams it;
- ``close_mid_body``: announces 100,000 bytes, sends 100, closes the connection;
- ``not_json``: a 200 whose body is not JSON;
- ``bomb_image``: a valid answer whose PNG header claims 20000x20000 pixels.
"""

from __future__ import annotations

import base64
import socket
import struct
import threading
import time
import zlib

MODES = ("hang", "drip", "endless", "huge", "close_mid_body", "not_json", "bomb_image")


def _bomb_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


class MisbehavingServer:
    def __init__(self, mode: str):
        assert mode in MODES, mode
        self.mode = mode
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.bytes_sent = 0
        port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/edit"
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def _send(self, conn: socket.socket, data: bytes) -> bool:
        try:
            conn.sendall(data)
            self.bytes_sent += len(data)
            return True
        except OSError:
            return False

    def _handle(self, conn: socket.socket) -> None:
        try:
            self._read_request(conn)
            conn.settimeout(2)
            mode = self.mode
            if mode == "hang":
                self._stop.wait()
            elif mode == "drip":
                self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
                while not self._stop.is_set() and self._send(conn, b" "):
                    time.sleep(0.05)
            elif mode in ("endless", "huge"):
                header = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                header += b"Content-Length: 10000000000\r\n\r\n" if mode == "huge" else b"Connection: close\r\n\r\n"
                self._send(conn, header)
                block = b'{"image": "' + b"A" * 65536
                while not self._stop.is_set() and self._send(conn, block):
                    pass
            elif mode == "close_mid_body":
                self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b'{"image": "' + b"A" * 89)
            elif mode == "not_json":
                body = b"<html>proxy error</html>"
                self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            elif mode == "bomb_image":
                body = b'{"image": "' + base64.b64encode(_bomb_png()) + b'"}'
                self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._accept.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> MisbehavingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

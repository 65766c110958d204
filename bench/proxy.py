"""A userspace TCP proxy that adds a fixed delay each way: edge latency on loopback.

This machine has no netem (no ``tc qdisc … delay``), so the benchmark puts one of these in
front of every host's sshd: bytes read from one side are written to the other side
``delay`` seconds later, in order, in both directions. An RTT of R is ``--delay-ms R/2``.
Bandwidth is not limited and chunks are not merged or split; only time is added, which is
what a round trip costs on a slow link.

Usage: python bench/proxy.py --delay-ms 50 LISTEN_HOST:PORT=TARGET_HOST:PORT [...]
       python bench/proxy.py --delay-ms 50 --pairs-file FILE   (one pair a line)
Prints ``ready`` once every listener is bound; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import signal
import sys


class DelayLine:
    """Chunks in, the same chunks out in order, each no earlier than ``delay`` after it came.

    Kept apart from the sockets so the timing rule can be tested with a made-up clock.
    """

    def __init__(self, delay: float) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, found {delay}")
        self.delay = delay
        self._queue: collections.deque[tuple[float, bytes]] = collections.deque()

    def push(self, data: bytes, now: float) -> None:
        self._queue.append((now + self.delay, data))

    def next_due(self) -> float | None:
        """When the oldest chunk may leave (None when empty)."""
        return self._queue[0][0] if self._queue else None

    def pop_due(self, now: float) -> list[bytes]:
        """Every chunk whose time has come, oldest first."""
        out = []
        while self._queue and self._queue[0][0] <= now:
            out.append(self._queue.popleft()[1])
        return out

    def __len__(self) -> int:
        return len(self._queue)


async def _pump(reader, writer, delay: float) -> None:
    """Copy reader -> writer through a DelayLine; EOF is delayed like data."""
    loop = asyncio.get_running_loop()
    line = DelayLine(delay)
    arrived = asyncio.Event()
    done = False

    async def read_side():
        nonlocal done
        try:
            while data := await reader.read(65536):
                line.push(data, loop.time())
                arrived.set()
        except (ConnectionError, OSError):
            pass
        done = True
        line.push(b"", loop.time())  # EOF marker, delayed too
        arrived.set()

    reading = asyncio.create_task(read_side())
    try:
        while True:
            due = line.next_due()
            if due is None:
                arrived.clear()
                await arrived.wait()
                continue
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            for chunk in line.pop_due(loop.time()):
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        if not done:
            reading.cancel()


def handler(target: tuple[str, int], delay: float):
    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                _pump(client_reader, up_writer, delay), _pump(up_reader, client_writer, delay)
            )
        except asyncio.CancelledError:
            pass  # the proxy is stopping
        finally:
            for w in (up_writer, client_writer):
                w.close()

    return handle


def parse_pair(text: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """``LISTEN_HOST:PORT=TARGET_HOST:PORT`` (loopback addresses only)."""
    try:
        listen, target = text.strip().split("=")
        ends = []
        for part in (listen, target):
            host, port = part.rsplit(":", 1)
            if not host.startswith("127."):
                raise ValueError(f"{host} is not a loopback address (127.0.0.0/8)")
            ends.append((host, int(port)))
    except ValueError as exc:
        raise SystemExit(
            f"proxy pair {text!r}: expected LISTEN_HOST:PORT=TARGET_HOST:PORT on 127.x ({exc})"
        ) from None
    return ends[0], ends[1]


async def serve(pairs, delay: float) -> None:
    servers = []
    for listen, target in pairs:
        try:
            servers.append(await asyncio.start_server(handler(target, delay), *listen))
        except OSError as exc:
            raise SystemExit(f"proxy: cannot listen on {listen[0]}:{listen[1]}: {exc}") from None
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay-ms", type=float, required=True, help="added delay each way")
    ap.add_argument("--pairs-file", help="file with one LISTEN=TARGET pair a line")
    ap.add_argument("pairs", nargs="*")
    args = ap.parse_args(argv)
    texts = list(args.pairs)
    if args.pairs_file:
        with open(args.pairs_file) as fh:
            texts += [line for line in fh if line.strip()]
    if not texts:
        ap.error("no LISTEN=TARGET pairs given")
    asyncio.run(serve([parse_pair(t) for t in texts], args.delay_ms / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())

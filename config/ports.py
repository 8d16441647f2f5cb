"""Whether the development server can have its address, told in one sentence when it cannot.

``make run`` asks this before it installs or migrates anything (``python config/ports.py
HOST PORT`` prints the problem, or nothing), and ``manage.py serve`` asks again just before
it starts the server.  Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import errno
import socket
import sys


def port_problem(host: str, port: int | str) -> str:
    """"" when ``host:port`` can be listened on, else what is wrong and what to do."""
    try:
        number = int(port)
    except (TypeError, ValueError):
        return f"PORT={port} is not a port number: use one from 1024 to 65535, e.g. PORT=8001"
    if not 0 < number < 65536:
        return f"PORT={number} is out of range: use one from 1024 to 65535, e.g. PORT=8001"
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, number, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror:
        return f"HOST={host} is not an address of this machine: try make run HOST=127.0.0.1"
    with socket.socket(family, kind, proto) as probe:
        # The server itself reuses addresses, so a port left in TIME_WAIT is no problem.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"Port {number} on {host} is already in use (is the archive already running "
                    f"in another terminal?): stop that one, or choose another port, "
                    f"e.g. make run PORT={number + 1 if number < 65535 else 8001}"
                )
            if exc.errno == errno.EACCES:
                return (
                    f"Port {number} needs administrator rights: choose one from 1024 up, "
                    "e.g. make run PORT=8000"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"HOST={host} is not an address of this machine: try make run HOST=127.0.0.1"
            return f"Cannot listen on {host}:{number} ({exc.strerror}): try make run PORT=8001"
    return ""


if __name__ == "__main__":
    args = sys.argv[1:]
    problem = port_problem(args[0] if args else "127.0.0.1", args[1] if len(args) > 1 else 8000)
    if problem:
        print(problem)

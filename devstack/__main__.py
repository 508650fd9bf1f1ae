"""`make dev`: start the local stack, print how to use it, stop cleanly on Ctrl-C or SIGTERM."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from devstack.console import Console
from devstack.stack import PROJECT_DIR, LocalStack, Ports, PortTaken


def main() -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()
    stack = LocalStack(ports=Ports.from_env(),
                       stack_file=Path(os.environ.get("STACK_FILE",
                                                      PROJECT_DIR / ".local" / "stack.json")))
    metrics_file = stack.stack_file.with_name("metrics.jsonl")
    if os.environ.get("FRONTDESK_LOG") != "json":
        sys.stdout = Console(sys.stdout, metrics_file)
    try:
        try:
            info = stack.start()
        except PortTaken as taken:
            print(taken, file=sys.stderr)
            return 1
        print(f"Frontdesk API   {info['apiUrl']}   (try {info['apiUrl']}/health)")
        if "webUrl" in info:
            print(f"Web frontend    {info['webUrl']}")
        print(f"Local AWS       {info['awsEndpoint']}   (moto)")
        for user in info["users"]:
            role = ", ".join(user["groups"]) or "plain user"
            totp = f", TOTP secret {user['totpSecret']}" if "totpSecret" in user else ""
            print(f"Demo account    {user['username']} / {user['password']}   ({role}{totp})")
        print(f"Service API key in {stack.stack_file} (apiKey)")
        if isinstance(sys.stdout, Console):
            print(f"Metrics (EMF)   {metrics_file}   (FRONTDESK_LOG=json prints raw log lines)")
        print("Ctrl-C stops everything.", flush=True)
        # If whatever started us dies without signalling (make killed with
        # SIGKILL, a closed terminal), we are re-parented: stop then too.
        while not stop.wait(0.5):
            if os.getppid() != parent:
                break
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    status = main()
    # Everything the stack held was in memory and is being thrown away: skip
    # the interpreter's teardown, which after a long session spends tens of
    # seconds freeing moto's objects one by one.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)

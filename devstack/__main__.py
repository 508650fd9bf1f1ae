"""`make dev`: start the local stack, print how to use it, stop cleanly on Ctrl-C or SIGTERM."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from devstack.stack import PROJECT_DIR, LocalStack, Ports


def main() -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()
    stack = LocalStack(ports=Ports.from_env(),
                       stack_file=Path(os.environ.get("STACK_FILE",
                                                      PROJECT_DIR / ".local" / "stack.json")))
    try:
        info = stack.start()
        print(f"Frontdesk API   {info['apiUrl']}   (try {info['apiUrl']}/health)")
        if "webUrl" in info:
            print(f"Web frontend    {info['webUrl']}")
        print(f"Local AWS       {info['awsEndpoint']}   (moto)")
        for user in info["users"]:
            role = ", ".join(user["groups"]) or "plain user"
            totp = f", TOTP secret {user['totpSecret']}" if "totpSecret" in user else ""
            print(f"Demo account    {user['username']} / {user['password']}   ({role}{totp})")
        print(f"Service API key in {stack.stack_file} (apiKey)")
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
    sys.exit(main())

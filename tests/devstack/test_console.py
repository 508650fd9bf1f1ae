"""`make dev`'s console (devstack/console.py): access and log lines made
readable, EMF documents moved to a file, everything else passed through."""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path

from devstack.console import Console, readable

ACCESS = {"time": "2026-11-23T13:12:00.944Z", "level": "INFO", "logger": "frontdesk.http",
          "message": "request", "requestId": "338b9da7", "coldStart": True, "method": "POST",
          "route": "/contact", "status": 202, "durationMs": 129.0}
EMF = {"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "Frontdesk",
       "Dimensions": [["service"]], "Metrics": [{"Name": "ContactReceived", "Unit": "Count"}]}]},
       "service": "frontdesk", "ContactReceived": [1.0]}


def test_an_access_line_reads_as_method_route_status_duration_and_request_id() -> None:
    assert readable(ACCESS) == "13:12:00  POST /contact  202  129 ms  338b9da7  (cold start)"
    assert readable({**ACCESS, "coldStart": False, "route": None}) == \
        "13:12:00  POST (unknown)  202  129 ms  338b9da7"


def test_another_log_line_keeps_its_level_logger_message_fields_and_traceback() -> None:
    line = readable({"time": "2026-11-23T13:12:01.000Z", "level": "WARNING",
                     "logger": "frontdesk.outbox", "message": "delivery failed", "requestId": None,
                     "coldStart": False, "kind": "notification", "attempt": 2,
                     "exception": "Traceback (most recent call last): ..."})
    assert line == ("13:12:01  WARNING  frontdesk.outbox  delivery failed  kind=notification  "
                    "attempt=2\nTraceback (most recent call last): ...")


def test_the_console_rewrites_logs_moves_metrics_and_passes_the_rest(tmp_path: Path) -> None:
    terminal = io.StringIO()
    metrics = tmp_path / "metrics.jsonl"
    console = Console(terminal, metrics)
    # Lines may arrive in pieces, several at once, or without a newline yet.
    text = (f"Frontdesk API   http://127.0.0.1:8000\n{json.dumps(ACCESS)}\n"
            f"{json.dumps(EMF)}\n{{not json\n[1, 2]\n")
    for start in range(0, len(text), 7):
        console.write(text[start:start + 7])
    console.write("no newline yet")
    console.flush()
    assert terminal.getvalue().splitlines() == [
        "Frontdesk API   http://127.0.0.1:8000",
        "13:12:00  POST /contact  202  129 ms  338b9da7  (cold start)",
        "{not json", "[1, 2]"]
    assert [json.loads(line) for line in metrics.read_text().splitlines()] == [EMF]


def test_lines_written_by_many_threads_stay_whole(tmp_path: Path) -> None:
    terminal = io.StringIO()
    console = Console(terminal, tmp_path / "metrics.jsonl")

    def write(n: int) -> None:
        for i in range(200):
            console.write(f"thread {n} line {i}\n")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = terminal.getvalue().splitlines()
    assert sorted(lines) == sorted(f"thread {n} line {i}" for n in range(8) for i in range(200))


def test_a_request_line_is_read_on_the_terminal_and_kept_among_the_metrics(tmp_path: Path) -> None:
    # The pipeline writes a request's access record and its EMF document as one line.
    request_line = {**ACCESS, **EMF}
    terminal = io.StringIO()
    metrics = tmp_path / "metrics.jsonl"
    console = Console(terminal, metrics)
    console.write(json.dumps(request_line) + "\n")
    console.flush()
    assert terminal.getvalue() == "13:12:00  POST /contact  202  129 ms  338b9da7  (cold start)\n"
    assert [json.loads(line) for line in metrics.read_text().splitlines()] == [request_line]

"""make dev's files server: what the files distribution is deployed (moto has
no CloudFront edge to serve the attachments bucket through).

On its own origin (FILES_PORT, never the site's or the API's), as the
distribution has its own domain. Each request is what CloudFront does with it
(infra/resources.yaml, FilesDistribution):
- FilesSignatureCheck's decision, by its Python twin
  (chalicelib/attachments/links.py `link_is_valid`, held equal to the
  function's code by tests/infra/test_files_route.py): 403 unless the link's
  signature and expiry hold;
- the object from the bucket (moto's S3), streamed, nothing kept; a key the
  bucket policy does not open to the distribution (anything outside files/)
  or that is not there is S3's 403 to it;
- the headers FilesHeadersPolicy adds and the function's viewer response
  (infra/files_route.py `served_headers`).
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from chalicelib.attachments.links import link_is_valid
from chalicelib.attachments.model import FILES_PREFIX
from infra.files_route import FILE_HEADERS, query_value, served_headers

CHUNK = 64 * 1024
# S3's answer headers by name, as botocore's get_object gives them.
_STORED = {"Content-Type": "ContentType", "Content-Length": "ContentLength",
           "Content-Disposition": "ContentDisposition", "Cache-Control": "CacheControl",
           "ETag": "ETag", "Last-Modified": "LastModified"}


class FilesHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args: Any, s3: Any, bucket: str, key: Callable[[], str],
                 clock: Callable[[], float], **kwargs: Any) -> None:
        self._s3, self._bucket, self._key, self._clock = s3, bucket, key, clock
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, *, body: bool) -> None:
        path, _, query = self.path.partition("?")
        if not link_is_valid(self._key(), path, query_value(query, "exp"),
                             query_value(query, "sig"), self._clock()):
            self._refuse()
            return
        object_key = unquote(path.removeprefix("/"))
        if not object_key.startswith(FILES_PREFIX):  # the bucket policy opens files/ only
            self._refuse()
            return
        try:
            stored = self._s3.get_object(Bucket=self._bucket, Key=object_key)
        except ClientError:
            self._refuse()  # S3 answers a missing key 403 to a reader without ListBucket
            return
        found = {name: stored[field] for name, field in _STORED.items() if stored.get(field)}
        if "Last-Modified" in found:
            found["Last-Modified"] = self.date_time_string(found["Last-Modified"].timestamp())
        self.send_response(200)
        for name, value in served_headers({k: str(v) for k, v in found.items()}).items():
            self.send_header(name, value)
        self.end_headers()
        stream = stored["Body"]
        try:
            while body and (chunk := stream.read(CHUNK)):
                self.wfile.write(chunk)
        finally:
            stream.close()

    def _refuse(self) -> None:
        self.send_response(403)
        for name, value in {**FILE_HEADERS, "Cache-Control": "no-store",
                            "Content-Length": "0"}.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def files_server(host: str, port: int, *, s3: Any, bucket: str, key: Callable[[], str],
                 clock: Callable[[], float] = time.time) -> ThreadingHTTPServer:
    """Not yet serving: the caller runs serve_forever (on a thread) and shuts it down."""
    server = ThreadingHTTPServer((host, port), functools.partial(
        FilesHandler, s3=s3, bucket=bucket, key=key, clock=clock))
    server.daemon_threads = True
    return server

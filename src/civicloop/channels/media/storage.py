"""Where kept media live: the data folder (default) or an S3-compatible store (``CIVICLOOP_MEDIA_STORE=s3``).

Both keep a file under ``ab/<sha256>``, so a file sent twice is kept once. The S3 store speaks the S3 REST
API directly (path-style ``PUT``/``GET``/``HEAD /{bucket}/{key}``), signed with AWS Signature Version 4
(``UNSIGNED`` payloads are not used: the body's SHA-256 is signed), so it works with AWS S3, MinIO, Ceph,
Garage and the like, with no SDK.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from civicloop.config import get_settings
from civicloop.errors import Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.kit.http import http_client

MEDIA = "media"
KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StoreFailed(Exception):
    """The store could not keep or give back a file (unreachable, refused); a later attempt may work."""


class Store(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


def key_for(digest: str) -> str:
    return f"{digest[:2]}/{digest}"


def _checked(key: str) -> str:
    if not KEY_RE.match(key):
        raise NotFound("file not found")
    return key


class LocalStore:
    """``DATA_DIR/media/ab/<sha256>``, written to a temporary name and renamed (readers never see half a file)."""

    name = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.folder / _checked(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        partial.write_bytes(data)
        os.replace(partial, path)

    def get(self, key: str) -> bytes:
        path = self.folder / _checked(key)
        if not path.is_file():
            raise NotFound("file not found")
        return path.read_bytes()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_headers(
    method: str,
    url: str,
    *,
    payload_sha256: str,
    region: str,
    access_key: str,
    secret_key: str,
    now: datetime,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers that sign a request without a query string with AWS Signature Version 4 for service s3."""
    parts = urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    headers = {"host": parts.netloc, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date}
    headers |= {k.lower(): v.strip() for k, v in (extra or {}).items()}
    signed = ";".join(sorted(headers))
    canonical = "\n".join(
        [
            method,
            quote(parts.path or "/", safe="/-_.~"),
            "",
            "".join(f"{name}:{headers[name]}\n" for name in sorted(headers)),
            signed,
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return {k: v for k, v in headers.items() if k != "host"} | {"authorization": authorization}


class S3Store:
    """An S3-compatible bucket, addressed path-style: ``{endpoint}/{bucket}/{key}``."""

    name = "s3"

    def __init__(self, endpoint: str, bucket: str, region: str, access_key: str, secret_key: str) -> None:
        if not endpoint or not bucket or not access_key or not secret_key:
            raise Invalid(
                "CIVICLOOP_MEDIA_STORE=s3 needs CIVICLOOP_S3_ENDPOINT_URL, CIVICLOOP_S3_BUCKET, "
                "CIVICLOOP_S3_ACCESS_KEY_ID and CIVICLOOP_S3_SECRET_ACCESS_KEY"
            )
        self.endpoint, self.bucket, self.region = endpoint.rstrip("/"), bucket, region
        self._access, self._secret = access_key, secret_key

    def _url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{_checked(key)}"

    def _request(self, method: str, key: str, data: bytes = b"", extra: dict[str, str] | None = None) -> httpx.Response:
        url = self._url(key)
        headers = sigv4_headers(
            method,
            url,
            payload_sha256=hashlib.sha256(data).hexdigest() if data else EMPTY_SHA256,
            region=self.region,
            access_key=self._access,
            secret_key=self._secret,
            now=utcnow(),
            extra=extra,
        )
        timeout = get_settings().outbound_timeout_seconds
        try:
            with http_client(timeout) as client:
                return client.request(method, url, content=data or None, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreFailed(f"the S3 store could not be reached: {exc.__class__.__name__}") from exc

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if self._request("HEAD", key).status_code == 200:
            return  # the same bytes are there already (the key is their SHA-256)
        response = self._request("PUT", key, data, {"content-type": content_type})
        if response.status_code != 200:
            raise StoreFailed(f"the S3 store refused the file: HTTP {response.status_code} {_s3_error(response)}")

    def get(self, key: str) -> bytes:
        response = self._request("GET", key)
        if response.status_code == 404:
            raise NotFound("file not found")
        if response.status_code != 200:
            raise StoreFailed(
                f"the S3 store refused to give the file back: HTTP {response.status_code} {_s3_error(response)}"
            )
        return response.content


def _s3_error(response: httpx.Response) -> str:
    found = re.search(r"<Code>([^<]{1,100})</Code>", response.text)
    return found.group(1) if found else ""


def media_dir() -> Path:
    folder = get_settings().data_dir / MEDIA
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def named(name: str) -> Store:
    """The store called ``name`` (a row records where its file went), configured from the settings."""
    settings = get_settings()
    if name == "s3":
        return S3Store(
            settings.s3_endpoint_url,
            settings.s3_bucket,
            settings.s3_region,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
        )
    if name != "local":
        raise Invalid(f"CIVICLOOP_MEDIA_STORE must be local or s3, not {name!r}")
    return LocalStore(media_dir())


def current() -> Store:
    """Where new files go (``CIVICLOOP_MEDIA_STORE``)."""
    return named(get_settings().media_store)

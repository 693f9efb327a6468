"""Citizens' attachments: downloaded from the platform's expiring links right after ingest, checked by their
bytes, kept under their SHA-256, recorded, shown in the conversation to the agency only — and a link that
expired, a file of a refused type or one too large is recorded with the reason, never lost silently."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels.facebook.provider import sign
from civicloop.channels.media.models import MediaFile
from civicloop.channels.media.storage import S3Store, media_dir, sigv4_headers
from civicloop.channels.models import Message
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.cast import photo
from civicloop.channels.simulator.state import SimulatorState
from civicloop.config import reset_settings
from civicloop.kit.clock import utcnow
from tests.factories import create_account, create_agency, create_official, login

PAGE = "104958162837"
SECRET = "fb-media-secret"
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead" + b"\x01" * 200  # the head of an Opus voice note


@dataclass
class Scene:
    agency: Agency
    account: OfficialAccount
    state: SimulatorState
    path: str


@pytest.fixture
def scene(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("CIVICLOOP_MEDIA_DOWNLOAD", "true")
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(
        db, agency, "facebook", PAGE, {"app_secret": SECRET, "verify_token": "v"}, "Thimphu Thromde"
    )
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        yield Scene(agency, account, sim.state, urlsplit(AccountPublic.of(account).webhook_url).path)
    reset_settings()


def _message_with(client: TestClient, scene: Scene, kind: str, url: str, mid: str) -> None:
    event = {
        "sender": {"id": "6743519208734561"},
        "recipient": {"id": PAGE},
        "timestamp": int(utcnow().timestamp() * 1000),
        "message": {
            "mid": mid,
            "text": "Here is the broken streetlight",
            "attachments": [{"type": kind, "payload": {"url": url}}],
        },
    }
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [event]}]}).encode()
    response = client.post(scene.path, content=body, headers={"x-hub-signature-256": sign(body, SECRET)})
    assert response.status_code == 200


def _media(db: Session, mid: str) -> tuple[Message, MediaFile]:
    db.rollback()
    message = db.scalars(select(Message).where(Message.external_id == mid)).one()
    media = db.scalars(select(MediaFile).where(MediaFile.message_id == message.id)).one()
    return message, media


def test_a_photo_is_downloaded_kept_by_hash_and_shown_to_the_agency_only(
    db: Session, client: TestClient, scene: Scene
) -> None:
    image = photo(7)
    url = scene.state.media_url(image, "image/png")
    _message_with(client, scene, "image", url, "m_photo")
    message, media = _media(db, "m_photo")
    digest = hashlib.sha256(image).hexdigest()
    assert (media.status, media.sha256, media.size, media.content_type) == ("stored", digest, len(image), "image/png")
    assert (media.source_url, media.platform, media.platform_message_id, media.kind) == (
        url,
        "facebook",
        "m_photo",
        "image",
    )
    assert (media_dir() / f"{digest[:2]}/{digest}").read_bytes() == image
    assert message.attachments[0] | {} == {
        "type": "image",
        "url": url,
        "media_file_id": media.id,
        "status": "stored",
        "content_type": "image/png",
    }

    login(client, create_official(db, "officer@THROMDE"))
    page = client.get(f"/inbox/{message.conversation_id}")
    assert page.status_code == 200 and f'<img src="/media/{media.id}" alt="Image sent by the citizen"' in page.text
    served = client.get(f"/media/{media.id}")
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"

    other = create_agency(db, "MOH", name="Ministry of Health")
    client.cookies.clear()
    login(client, create_official(db, f"officer@{other.code}"))
    assert client.get(f"/media/{media.id}").status_code == 404
    assert client.get(f"/media/{media.id + 1000}").status_code == 404


def test_a_voice_note_is_kept_and_played_in_the_conversation(db: Session, client: TestClient, scene: Scene) -> None:
    _message_with(client, scene, "audio", scene.state.media_url(OGG, "audio/ogg"), "m_voice")
    message, media = _media(db, "m_voice")
    assert (media.status, media.content_type, media.size) == ("stored", "audio/ogg", len(OGG))
    login(client, create_official(db, "officer@THROMDE"))
    assert (
        f'<audio controls preload="metadata" src="/media/{media.id}"'
        in client.get(f"/inbox/{message.conversation_id}").text
    )


def test_an_expired_link_a_refused_type_and_a_file_too_large_are_recorded_with_the_reason(
    db: Session, client: TestClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = scene.state.media_url(photo(1), "image/png", ttl=-timedelta(seconds=1))
    _message_with(client, scene, "image", expired, "m_late")
    message, media = _media(db, "m_late")
    assert media.status == "failed" and media.sha256 is None
    assert "HTTP 403 (URL signature expired)" in (media.error or "") and "link expired" in (media.error or "")

    page = scene.state.media_url(b"<!doctype html><script>alert(1)</script>", "image/jpeg")
    _message_with(client, scene, "image", page, "m_html")
    _, media = _media(db, "m_html")
    assert media.status == "refused" and "is an HTML page" in (media.error or "")

    monkeypatch.setenv("CIVICLOOP_MAX_MEDIA_BYTES", "100")
    reset_settings()
    _message_with(client, scene, "file", scene.state.media_url(photo(2), "image/png"), "m_big")
    _, media = _media(db, "m_big")
    assert media.status == "refused" and "larger than the limit" in (media.error or "")
    big = hashlib.sha256(photo(2)).hexdigest()
    assert not (media_dir() / f"{big[:2]}/{big}").exists(), "nothing refused is kept"

    login(client, create_official(db, "officer@THROMDE"))
    text = client.get(f"/inbox/{message.conversation_id}").text
    assert "link expired or was withdrawn" in text and "is an HTML page" in text


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's S3-compatible server on a free port, with a bucket, and CivicLoop's media store pointed at it."""
    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # Create the bucket with a request signed by our own signer (a PUT on the bucket path).
    url = f"{endpoint}/civicloop-media"
    headers = sigv4_headers(
        "PUT",
        url,
        payload_sha256=hashlib.sha256(b"").hexdigest(),
        region="us-east-1",
        access_key="AKIATHROMDE",
        secret_key="thromde-secret",
        now=utcnow(),
    )
    assert httpx.put(url, headers=headers).status_code == 200
    for key, value in {
        "CIVICLOOP_MEDIA_STORE": "s3",
        "CIVICLOOP_S3_ENDPOINT_URL": endpoint,
        "CIVICLOOP_S3_BUCKET": "civicloop-media",
        "CIVICLOOP_S3_ACCESS_KEY_ID": "AKIATHROMDE",
        "CIVICLOOP_S3_SECRET_ACCESS_KEY": "thromde-secret",
    }.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    yield endpoint
    server.stop()


def test_our_sigv4_matches_botocores_reference_signer() -> None:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = "http://127.0.0.1:9000/civicloop-media/ab/" + "ab" * 32
    data = photo(3)
    request = AWSRequest(method="PUT", url=url, data=data, headers={"content-type": "image/png"})
    S3SigV4Auth(Credentials("AKIATHROMDE", "thromde-secret"), "s3", "ap-south-1").add_auth(request)
    stamp = datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ours = sigv4_headers(
        "PUT",
        url,
        payload_sha256=hashlib.sha256(data).hexdigest(),
        region="ap-south-1",
        access_key="AKIATHROMDE",
        secret_key="thromde-secret",
        now=stamp,
        extra={"content-type": "image/png"},
    )
    assert ours["authorization"] == request.headers["authorization"]


def test_media_can_be_kept_in_an_s3_compatible_store(db: Session, client: TestClient, scene: Scene, s3: str) -> None:
    image = photo(11)
    _message_with(client, scene, "image", scene.state.media_url(image, "image/png"), "m_s3")
    message, media = _media(db, "m_s3")
    digest = hashlib.sha256(image).hexdigest()
    assert (media.status, media.store, media.storage_key) == ("stored", "s3", f"{digest[:2]}/{digest}")
    assert not (media_dir() / f"{digest[:2]}/{digest}").exists(), "kept in the bucket, not the data folder"
    assert (
        S3Store(s3, "civicloop-media", "us-east-1", "AKIATHROMDE", "thromde-secret").get(media.storage_key or "")
        == image
    )
    login(client, create_official(db, "officer@THROMDE"))
    served = client.get(f"/media/{media.id}")
    assert served.status_code == 200 and served.content == image
    assert f'src="/media/{media.id}"' in client.get(f"/inbox/{message.conversation_id}").text

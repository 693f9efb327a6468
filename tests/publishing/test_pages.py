"""The composer, its live check, the calendar and a post's per-account results, through the real app."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.publishing import service
from tests.factories import create_official, csrf_from, login
from tests.publishing.conftest import Scene


def test_the_live_check_shows_lengths_and_guidelines_findings(db: Session, client: TestClient, scene: Scene) -> None:
    login(client, scene.officer)
    compose = client.get("/publishing/new")
    assert compose.status_code == 200 and "@ThimphuThromde" in compose.text
    # The check's place is under "Post or schedule": arriving after each change, above it would move the button.
    assert compose.text.index('<button type="submit">Post or schedule</button>') < compose.text.index('id="check"')
    csrf = csrf_from(compose.text)
    text = "Citizen Karma Dorji (CID 11410001234, mobile 17123456) complained about <script>x</script> " * 4
    fragment = client.post(
        "/publishing/check",
        data={
            "agency_id": scene.agency.id,
            "text": text,
            "account_ids": [scene.x.id, scene.wechat.id],
            "csrf_token": csrf,
        },
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "too long for X" in fragment.text and "WeChat:" in fragment.text
    assert 'class="gl-result' in fragment.text and 'data-rule="' in fragment.text, "the guidelines' findings show"
    assert "<script>x</script>" not in fragment.text


def test_an_officer_posts_and_sees_the_result_per_account_and_on_the_calendar(
    db: Session, client: TestClient, scene: Scene
) -> None:
    login(client, scene.officer)
    csrf = csrf_from(client.get("/publishing/new").text)
    form = {
        "agency_id": scene.agency.id,
        "text": "Water supply in Motithang is back to normal. Thank you for your patience.",
        "account_ids": [scene.facebook.id, scene.x.id],
        "csrf_token": csrf,
    }
    created = client.post("/publishing", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    post_page = client.get(created.headers["location"])
    assert post_page.text.count(">sent<") == 2 and "open</a>" in post_page.text
    calendar = client.get(f"/publishing?agency_id={scene.agency.id}&month=2026-03")
    assert "Water supply in Motithang" in calendar.text
    bad = client.post("/publishing", data={**form, "account_ids": [scene.web.id]}, follow_redirects=False)
    assert bad.status_code == 422 and "cannot carry posts" in bad.text


def test_the_head_approves_from_the_post_page(db: Session, client: TestClient, scene: Scene) -> None:
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    service.set_policy(db, actor=Actor.of(head), agency_id=scene.agency.id, require_approval=True)
    post = service.create_post(
        db, actor=scene.actor, agency_id=scene.agency.id, text="Road works on Chang Lam.", account_ids=[scene.x.id]
    )
    db.commit()
    login(client, head)
    page = client.get(f"/publishing/posts/{post.id}")
    assert "Approve" in page.text
    calendar = client.get(f"/publishing?agency_id={scene.agency.id}")
    assert "Waiting for approval" in calendar.text
    approved = client.post(
        f"/publishing/posts/{post.id}/approve", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert ">sent<" in client.get(f"/publishing/posts/{post.id}").text


def test_the_composer_offers_a_variant_per_platform_that_declares_one_and_keeps_it(
    db: Session, client: TestClient, scene: Scene
) -> None:
    from civicloop.channels import registry
    from civicloop.publishing.models import Post

    login(client, scene.officer)
    compose = client.get("/publishing/new")
    hinted = [p for p in registry.publishable() if p.variant_hint]
    assert compose.text.count('name="variant_platform"') == len(hinted) >= 2
    for platform in hinted:
        assert f'value="{platform.name}"' in compose.text and str(platform.variant_hint) in compose.text
    text = "Norzin Lam will be closed on Sunday from 08:00 to 11:00 for the Thimphu marathon. " * 5
    form = {
        "agency_id": scene.agency.id,
        "text": text,
        "variant_platform": ["x", "wechat"],
        "variant": ["Norzin Lam closed Sunday 8–11 for the marathon.", ""],
        "account_ids": [scene.facebook.id, scene.x.id],
        "csrf_token": csrf_from(compose.text),
    }
    created = client.post("/publishing", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    post = db.query(Post).order_by(Post.id.desc()).first()
    assert post is not None and post.variants == {"x": "Norzin Lam closed Sunday 8–11 for the marathon."}
    too_long = client.post("/publishing", data={**form, "variant": ["x" * 10_001, ""]}, follow_redirects=False)
    assert too_long.status_code == 422 and "at most 10,000 characters" in too_long.text

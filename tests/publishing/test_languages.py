"""Posts written in English and Dzongkha: what each account gets, the composer's side-by-side fields, the API."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.outbound.models import OutboundMessage
from civicloop.errors import Invalid
from civicloop.publishing import languages, service
from civicloop.publishing.languages import Written
from civicloop.publishing.models import Post
from tests.factories import csrf_from, login
from tests.publishing.conftest import Scene

EN = "Norzin Lam will be closed to traffic on Sunday from 8 to 11 for the marathon."
DZ = "ནོར་འཛིན་ལམ་ གཟའ་ཉི་མ་ ཆུ་ཚོད་ ༨ ལས་ ༡༡ ཚུན་ རྒྱུག་འགྲན་གྱི་དོན་ལུ་ འགྲུལ་འཁོར་བཀག་ཆ་ཡོད།"
DZ_X = "ནོར་འཛིན་ལམ་ གཟའ་ཉི་མ་ ༨–༡༡ བཀག་ཆ།"


def test_each_platform_carries_every_language_written_unless_a_variant_picks() -> None:
    both = {"en": Written(EN), "dz": Written(DZ)}
    assert languages.chosen("facebook", both) == f"{DZ}\n\n{EN}"
    assert languages.languages_on("facebook", both) == ["dz", "en"]
    # A variant in one language only: that platform gets that language alone, the others still get both.
    picked = {"en": Written(EN), "dz": Written(DZ, {"x": DZ_X})}
    assert languages.chosen("x", picked) == DZ_X and languages.languages_on("x", picked) == ["dz"]
    assert languages.chosen("facebook", picked) == f"{DZ}\n\n{EN}"
    # English alone behaves as before the second language existed.
    assert languages.chosen("x", {"en": Written(EN, {"x": "Short."})}) == "Short."
    assert languages.chosen("x", {"dz": Written(DZ)}) == DZ


def test_a_bilingual_post_goes_out_in_both_and_a_dzongkha_variant_keeps_x_short(db: Session, scene: Scene) -> None:
    long_en = EN * 3
    with pytest.raises(Invalid, match=r"too long for X .* variant \(in one language, or shorter in each\)"):
        service.create_post(
            db,
            actor=scene.actor,
            agency_id=scene.agency.id,
            text=long_en,
            translations={"dz": Written(DZ)},
            account_ids=[scene.x.id],
        )
    with pytest.raises(Invalid, match="other language is one of dz; got 'fr'"):
        service.create_post(
            db, actor=scene.actor, agency_id=scene.agency.id, text=EN, translations={"fr": Written("Bonjour")},
            account_ids=[scene.x.id],
        )  # fmt: skip
    post = service.create_post(
        db,
        actor=scene.actor,
        agency_id=scene.agency.id,
        text=long_en,
        translations={"dz": Written(DZ, {"x": DZ_X})},
        account_ids=[scene.facebook.id, scene.x.id],
    )
    db.commit()
    assert post.translations == {"dz": {"text": DZ, "variant:x": DZ_X}} and post.text == long_en
    sent = dict(
        db.execute(
            select(OutboundMessage.account_id, OutboundMessage.text).where(OutboundMessage.batch_key == post.batch_key)
        ).all()
    )
    assert sent == {scene.facebook.id: f"{DZ}\n\n{long_en}", scene.x.id: DZ_X}
    # Written in Dzongkha only: no English needed.
    only = service.create_post(
        db, actor=scene.actor, agency_id=scene.agency.id, text="", translations={"dz": Written(DZ)},
        account_ids=[scene.wechat.id],
    )  # fmt: skip
    db.commit()
    assert db.scalar(select(OutboundMessage.text).where(OutboundMessage.batch_key == only.batch_key)) == DZ
    with pytest.raises(Invalid, match="in English, in Dzongkha or in both"):
        service.create_post(
            db, actor=scene.actor, agency_id=scene.agency.id, text=" ", translations={"dz": Written(" ")},
            account_ids=[scene.wechat.id],
        )  # fmt: skip


def test_the_composer_writes_both_side_by_side_marks_what_is_missing_and_the_api_takes_both(
    db: Session, client: TestClient, scene: Scene
) -> None:
    login(client, scene.officer)
    compose = client.get("/publishing/new")
    assert 'name="text_dz"' in compose.text and 'name="variant_dz"' in compose.text and "missing" not in compose.text
    csrf = csrf_from(compose.text)
    form = {
        "agency_id": scene.agency.id,
        "text": EN,
        "text_dz": DZ,
        "variant_platform": ["x", "wechat"],
        "variant": ["", ""],
        "variant_dz": [DZ_X, ""],
        "account_ids": [scene.facebook.id, scene.x.id],
        "csrf_token": csrf,
    }
    check = client.post("/publishing/check", data=form, headers={"HX-Request": "true"})
    assert "Facebook:" in check.text and "(རྫོང་ཁ + English)" in check.text and "(རྫོང་ཁ)" in check.text
    # Refused (no account): the form comes back with both languages kept and the English X variant marked missing.
    refused = client.post("/publishing", data={**form, "account_ids": []}, follow_redirects=False)
    assert refused.status_code == 422 and DZ in refused.text and DZ_X in refused.text
    assert 'id="missing-variant_x-en"' in refused.text and 'id="missing-text-' not in refused.text
    created = client.post("/publishing", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    post = db.scalars(select(Post).order_by(Post.id.desc())).first()
    assert post is not None and post.translations == {"dz": {"text": DZ, "variant:x": DZ_X}}
    page = client.get(created.headers["location"]).text
    assert 'id="post-dz"' in page and f'lang="dz">{DZ}</blockquote>' in page and "རྫོང་ཁ + English" in page
    api = client.post(
        "/api/v1/posts",
        json={"agency_id": scene.agency.id, "translations": {"dz": {"text": DZ}}, "account_ids": [scene.wechat.id]},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 201, api.text
    assert api.json()["text"] == "" and api.json()["translations"] == {"dz": {"text": DZ, "variants": {}}}

"""The moderation pages over HTTP: an officer hides from the conversation's link with a ground (CSRF,
clear refusals, agency isolation), the citizen's public appeal page in English and Dzongkha, the head's
decision, and the transparency pages that publish the policy and the counts — never a text or a name."""

from __future__ import annotations

from fastapi.testclient import TestClient

from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.models import ConversationKind
from civicloop.moderation import service
from tests.factories import create_agency, create_official, csrf_from, form_post, login
from tests.moderation.conftest import Moderation

TEXT = "Claim your prize at druk-lottery-winner.com before Friday"


def test_an_officer_hides_a_comment_from_its_conversation(mod: Moderation, client: TestClient) -> None:
    comment = mod.scene.comment(TEXT)
    login(client, mod.scene.officer)
    thread = client.get(f"/inbox/{comment.conversation_id}").text
    assert f'href="/moderation/messages/{comment.id}"' in thread
    page = f"/moderation/messages/{comment.id}"
    html = client.get(page).text
    assert "links to a known scam: druk-lottery-winner.com" in html  # the rule's suggestion, for a person to judge
    assert 'value="spam" required checked' in html and "Hide on Facebook" in html
    assert "Delete it from" not in html  # an officer does not delete

    forged = client.post(f"{page}/hide", data={"ground": "spam"}, follow_redirects=False)
    assert forged.status_code == 403
    refused = form_post(client, f"{page}/hide", {"ground": "criticism"}, page=page)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "is not a ground of the national policy" in refused.text  # type: ignore[attr-defined]
    assert mod.sim.calls("facebook.comment_hide") == []
    done = form_post(client, f"{page}/hide", {"ground": "spam", "suggested_by": "scam_link"}, page=page)
    assert done.status_code == 303  # type: ignore[attr-defined]
    after = client.get(page).text
    assert "Done: hidden on Facebook." in after and "hidden" in after and "suggested: scam link" in after
    assert facebook_graph(mod.sim).objects["900001_700001"].is_hidden


def test_another_agencys_official_cannot_see_or_moderate_it(mod: Moderation, client: TestClient) -> None:
    create_agency(mod.db, "DOIM")
    comment = mod.scene.comment(TEXT)
    login(client, create_official(mod.db, "officer@DOIM", email="officer@doim.example"))
    assert client.get(f"/moderation/messages/{comment.id}").status_code == 404
    token = csrf_from(client.get("/inbox").text)
    posted = client.post(f"/moderation/messages/{comment.id}/hide", data={"ground": "spam", "csrf_token": token})
    assert posted.status_code == 404 and mod.sim.calls("facebook.comment_hide") == []


def test_the_citizen_appeals_in_dzongkha_and_the_head_reverses(mod: Moderation, client: TestClient) -> None:
    comment = mod.scene.comment(TEXT)
    action = service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam")
    mod.db.commit()
    page = f"/appeal/{action.appeal_token}"
    english = client.get(page)
    assert english.status_code == 200 and "Spam or scam" in english.text
    assert TEXT not in english.text and "Sonam" not in english.text and "officer@" not in english.text
    dzongkha = client.get(f"{page}?lang=dz")
    assert dzongkha.headers["content-language"] == "dz" and '<html lang="dz"' in dzongkha.text
    assert "ཁྱད་མེད་འཕྲིན་དང་མགོ་སྐོར།" in dzongkha.text and "ཞུ་བ་ཕུལ།" in dzongkha.text
    client.get(f"{page}?lang=en")  # ?lang is remembered (docs/languages.md): back to English
    assert client.get("/appeal/not-a-token").status_code == 404
    empty = form_post(client, page, {"reason": " "}, page=page)
    assert empty.status_code == 422  # type: ignore[attr-defined]
    sent = form_post(client, page, {"reason": "I only warned people about this scam"}, page=page)
    assert sent.status_code == 200 and "Your appeal is with the agency head" in sent.text  # type: ignore[attr-defined]
    assert "Your appeal is with the agency head." in client.get(page).text

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/login").text)})
    login(client, mod.head)
    listed = client.get("/moderation/appeals").text
    assert "I only warned people about this scam" in listed and "Reverse: show it again" in listed
    appeal_id = listed.split('id="appeal-')[1].split('"')[0]
    decided = form_post(
        client, f"/moderation/appeals/{appeal_id}/decide", {"decision": "reverse"}, page="/moderation/appeals"
    )
    assert decided.status_code == 303  # type: ignore[attr-defined]
    assert not facebook_graph(mod.sim).objects["900001_700001"].is_hidden
    assert "The agency head reversed the decision" in client.get(page).text


def test_the_transparency_pages_publish_the_policy_and_counts_only(mod: Moderation, client: TestClient) -> None:
    comment = mod.scene.comment(TEXT)
    service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam", note="internal note")
    mod.db.commit()
    public = client.get("/transparency").text
    section = public.split('id="moderation"')[1].split("</section>")[0]
    assert "never for disagreeing with or criticising" in section
    assert '<span lang="dz">ཁྱད་མེད་འཕྲིན་དང་མགོ་སྐོར།</span>' in section  # the grounds in both languages
    assert 'data-agency="THROMDE" data-month="2026-03"' in section
    assert '<td class="num" data-col="hidden">1</td>' in section and "Spam or scam 1" in section
    for private in (TEXT, "Sonam", "officer@thromde.example", "internal note"):
        assert private not in public
    dz = client.get("/transparency/moderation?lang=dz").text
    assert "ཁྱད་མེད་འཕྲིན་དང་མགོ་སྐོར།" in dz and "ཚིག་ངན།" in dz and "ཐོ་བཀོད" in dz
    en = client.get("/transparency/moderation?lang=en").text
    assert "Threat or incitement" in en and "Another person&#39;s personal data" in en
    assert client.get("/transparency/moderation?start=2026-02-30").status_code == 422


def test_the_api_moderates_and_reads_the_record_within_the_agency(mod: Moderation, client: TestClient) -> None:
    from civicloop.auth import service as auth_service

    comment = mod.scene.comment(TEXT)
    officer = auth_service.create_api_token(mod.db, actor=mod.officer, name="moderation")
    mod.db.commit()
    headers = {"Authorization": f"Bearer {officer}"}
    path = f"/api/v1/messages/{comment.id}/moderation"
    refused = client.post(path, json={"operation": "hide", "ground": "rudeness"}, headers=headers)
    assert refused.status_code == 422 and "not a ground of the national policy" in refused.json()["error"]["message"]
    assert client.post(path, json={"operation": "erase"}, headers=headers).status_code == 422
    deleting = client.post(path, json={"operation": "delete", "ground": "spam"}, headers=headers)
    assert deleting.status_code == 403
    hidden = client.post(path, json={"operation": "hide", "ground": "spam"}, headers=headers)
    assert hidden.status_code == 201 and hidden.json()["applied"] is True
    assert hidden.json()["platform_status"] == 200 and hidden.json()["by_label"] == "officer@thromde.example"
    (listed,) = client.get(path, headers=headers).json()
    assert listed["id"] == hidden.json()["id"] and listed["ground"] == "spam"
    create_agency(mod.db, "DOIM")
    stranger = create_official(mod.db, "officer@DOIM", email="officer@doim.example")
    from civicloop.auth.scope import Actor

    foreign = auth_service.create_api_token(mod.db, actor=Actor.of(stranger), name="x")
    mod.db.commit()
    assert client.get(path, headers={"Authorization": f"Bearer {foreign}"}).status_code == 404


def test_the_conversation_marks_a_comment_the_rules_suggest_and_never_a_critical_one(
    mod: Moderation, client: TestClient
) -> None:
    scam = mod.scene.comment(TEXT)
    critical = mod.scene.inbound(
        mod.scene.facebook,
        ConversationKind.comment_thread,
        f"{mod.scene.facebook.external_id}_900001",
        "900001_700002",
        "The Thromde is useless and corrupt; the mayor should resign.",
        citizen="5550002",
    )
    login(client, mod.scene.officer)
    thread = client.get(f"/inbox/{scam.conversation_id}").text
    scam_item = thread.split(f'id="m{scam.id}"')[1].split("</li>")[0]
    critical_item = thread.split(f'id="m{critical.id}"')[1].split("</li>")[0]
    assert "suggested: spam or scam" in scam_item
    assert "moderate" in critical_item and "suggested" not in critical_item


def test_the_agency_head_tightens_the_policy_and_an_officer_cannot(mod: Moderation, client: TestClient) -> None:
    page = f"/moderation/policy/{mod.scene.agency.id}"
    login(client, mod.scene.officer)
    assert "Save" not in client.get(page).text
    assert form_post(client, page, {"withheld": "spam"}, page=page).status_code == 403  # type: ignore[attr-defined]
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    login(client, mod.head)
    saved = form_post(client, page, {"withheld": "advertising", "hide_needs_head": "true"}, page=page)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    html = client.get(page).text
    assert 'value="advertising" checked' in html and 'id="hide-needs-head" value="true" checked' in html
    assert form_post(client, page, {"withheld": "criticism"}, page=page).status_code == 422  # type: ignore[attr-defined]

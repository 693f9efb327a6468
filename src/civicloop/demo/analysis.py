"""Citizens' comments on Thimphu Thromde's post about new parking fees, a mail-merge campaign
among them, and the analysis of the agency's and that account's messages (the city's first account that
takes comments, asked of the registry)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from civicloop.analysis import queries, service
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind
from civicloop.channels.service import record_inbound
from civicloop.demo.foundation import DemoWorld
from civicloop.kit.clock import utcnow

PLACES = ["Changzamtog", "Motithang", "Babesa", "Olakha", "Hejo", "Taba", "Zilukha", "Kawajangsa"]
NAMES = ["Karma", "Sonam", "Pema", "Dorji", "Tashi", "Kinley", "Dechen", "Ugyen", "Tshering", "Jigme"]
COMMENTS = {
    "fees": [
        "Nu. 50 an hour for parking in {p} is too expensive for people who work there.",
        "The new parking fee at {p} will push shoppers away, please reduce it.",
        "Why do we pay a parking fee at {p} when there are no marked spaces?",
    ],
    "spaces": [
        "There is no parking space left near {p} after 9 am, we circle for half an hour.",
        "Build a multi-storey car park at {p} before charging for parking.",
        "Taxis take all the parking spaces at {p} the whole day.",
    ],
    "buses": [
        "More city buses to {p} would mean fewer cars, the bus every 40 minutes is too slow.",
        "The bus stop at {p} has no shelter, so people drive instead of waiting in the rain.",
        "Please run the city bus later in the evening from {p}.",
    ],
    "thanks": [
        "Thank you Thromde, the new footpath at {p} is lovely and safe for children.",
        "Great work on the clean streets in {p}, we really appreciate it.",
        "Good to see the consultation before the decision, thank you.",
    ],
}
LETTER = (
    "Dear Thromde, I, {name} of {p}, oppose the proposed parking fee increase in the town centre. "
    "Small shop owners will lose customers and families cannot afford to pay more every day. "
    "Please withdraw the proposal and consult residents first."
)


def seed_analysis(session: Session, world: DemoWorld) -> None:
    account = world.first_account("THROMDE", lambda spec: spec.comment_reply is not None)
    rng = random.Random(20260301)  # noqa: S311 - demo text, not security
    start = utcnow() - timedelta(days=4)
    texts = [rng.choice(options).format(p=rng.choice(PLACES)) for options in COMMENTS.values() for _ in range(18)]
    texts += [LETTER.format(name=rng.choice(NAMES), p=rng.choice(PLACES)) for _ in range(24)]
    rng.shuffle(texts)
    for n, text in enumerate(texts):
        record_inbound(
            session,
            account=account,
            inbound=Inbound(
                action=Action.message,
                account_ref=account.external_id,
                conversation_kind=ConversationKind.comment_thread,
                conversation_ref=f"{account.external_id}_parking-fees_c{n}",
                post_ref=f"{account.external_id}_parking-fees",
                created_at=start + timedelta(minutes=23 * n),
                external_id=f"{account.external_id}_parking-fees_c{n}",
                contact=ContactRef(platform_user_id=f"demo-parking-{n % 60}", display_name=rng.choice(NAMES)),
                text=text,
            ),
        )
    session.flush()
    for scope in (queries.AnalysisScope(agency_id=account.agency_id), queries.AnalysisScope(account_id=account.id)):
        run = service.create_run(session, actor=None, scope=scope)
        service.execute_in_session(session, run_id=run.id)

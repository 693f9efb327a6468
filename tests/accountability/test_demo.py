import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability import service
from civicloop.accountability.models import Commitment, CommitmentNotice, CommitmentStatus
from civicloop.accountability.schemas import UpdateIn
from civicloop.auth.scope import Actor
from civicloop.channels.simulator.citizens import load_targets, register_accounts
from civicloop.channels.simulator.live import remember_conversations
from civicloop.channels.simulator.state import SimulatorState
from civicloop.demo.accountability import TITLE
from civicloop.demo.foundation import DemoWorld, demo_email
from tests.channels.outbound.conftest import sim_now, simulator_server

__all__ = ["sim_now", "simulator_server"]


# On the run's shared demo (SQLite); the services are tested on both databases elsewhere.
@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_bus_stop_reports_commitments_are_on_the_tracker_and_a_change_reaches_the_citizens(
    demo: DemoWorld, db: Session, client: TestClient, sim_now: SimulatorState
) -> None:
    world, sim = demo, sim_now
    tracker = client.get("/commitments?agency=THROMDE")
    assert TITLE in tracker.text and tracker.text.count('href="/commitments/') >= 4
    assert "<strong>1</strong> overdue" in tracker.text, "the lighting is overdue"
    in_progress = db.scalars(select(Commitment).where(Commitment.status == CommitmentStatus.in_progress)).one()
    timeline = client.get(f"/commitments/{in_progress.id}").text
    assert "Drainage laid" in timeline and "/commitments/photos/" in timeline

    register_accounts(sim, load_targets(db))  # what `civicloop demo` does when it serves the simulator
    remember_conversations(sim, db)
    sim.reset_records()
    analyst = Actor.of(world.officials[demo_email("analyst", "THROMDE")])
    service.add_update(
        db,
        actor=analyst,
        commitment_id=in_progress.id,
        data=UpdateIn(status=CommitmentStatus.done, progress=100, note="The platform is raised."),
    )
    db.commit()
    # 12 comments from 12 citizens, four per platform: comments get replies; WeChat's 48 h window is long shut.
    assert len(sim.calls("facebook.comments")) == 4 and len(sim.calls("x.tweets")) == 4
    assert not sim.calls("wechat.send")
    db.rollback()
    outcomes = sorted(db.scalars(select(CommitmentNotice.outcome)))
    assert outcomes == ["refused"] * 4 + ["sent"] * 8

"""Every allowed and every forbidden stage move, under two presets (the profile decides)."""

import pytest
from django.core.exceptions import ValidationError

from leads import services
from leads.models import Lead, Stage

from ..conftest import activate_preset

S = Stage
COMMON_TAIL = {
    S.SCREENING: {S.TRANSFERRED, S.REJECTED, S.ON_HOLD},
    S.TRANSFERRED: {S.NEGOTIATION, S.ON_HOLD, S.LOST},
    S.REVIEW: {S.SIGNED, S.ON_HOLD, S.LOST},
    S.SIGNED: {S.STARTED, S.LOST},
    S.STARTED: {S.COMPLETED, S.LOST},
    S.COMPLETED: {S.PRODUCTION, S.LOST},
    S.PRODUCTION: set(),
    S.REJECTED: set(),
    S.LOST: set(),
}
EXPECTED = {
    # Seed 000: every step, and a station may negotiate a lead itself.
    "xiangzhou": {
        **COMMON_TAIL,
        S.FILED: {S.SCREENING, S.REJECTED, S.ON_HOLD, S.NEGOTIATION},
        S.NEGOTIATION: {S.INTENTION, S.ON_HOLD, S.LOST},
        S.INTENTION: {S.AGREEMENT, S.ON_HOLD, S.LOST},
        S.AGREEMENT: {S.REVIEW, S.ON_HOLD, S.LOST},
    },
    # Seed 004: no intention or agreement step; only the parks follow leads after screening.
    "xuancheng": {
        **COMMON_TAIL,
        S.FILED: {S.SCREENING, S.REJECTED, S.ON_HOLD},
        S.NEGOTIATION: {S.REVIEW, S.ON_HOLD, S.LOST},
        S.INTENTION: set(),
        S.AGREEMENT: set(),
    },
}
CASES = [(preset, stage) for preset in EXPECTED for stage in EXPECTED[preset]]


@pytest.mark.parametrize(("preset", "stage"), CASES, ids=[f"{p}-{s}" for p, s in CASES])
def test_allowed_and_forbidden_moves(world, file_lead, preset, stage):
    activate_preset(preset)
    lead = file_lead("chief_a")
    Lead.objects.filter(pk=lead.pk).update(stage=stage)
    lead.refresh_from_db()
    allowed = EXPECTED[preset][stage]
    assert set(services.allowed_moves(lead, services.rules_for())) == allowed
    for target in set(Stage.values) - allowed:
        with pytest.raises(ValidationError):
            services.lead_move(lead=lead, user=world.users["bureau"], to_stage=target, note="试图跳过")
        lead.refresh_from_db()
        assert lead.stage == stage


@pytest.mark.parametrize("held_from", [S.FILED, S.NEGOTIATION])
def test_a_held_lead_resumes_where_it_was_or_exits(world, file_lead, held_from):
    lead = file_lead("chief_a")
    Lead.objects.filter(pk=lead.pk).update(stage=S.ON_HOLD, held_from=held_from)
    lead.refresh_from_db()
    exit_stage = S.REJECTED if held_from == S.FILED else S.LOST
    assert services.allowed_moves(lead, services.rules_for()) == [held_from, exit_stage]

"""Vote counting for the National Smart City Committee (Smart City Act art. 23; Decree art. 26②)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.domain.tally import (
    OUTCOME_NO_QUORUM,
    OUTCOME_NOT_PASSED,
    OUTCOME_PASSED,
    Tally,
    compute_tally,
    outcome_of,
)

STANDING_25 = list(range(1, 26))


def votes_of(for_=(), against=(), abstain=()):
    v = {m: "for" for m in for_}
    v.update({m: "against" for m in against})
    v.update({m: "abstain" for m in abstain})
    return v


def test_25_enrolled_13_present_7_for_passes():
    t = compute_tally(
        mode="in_person",
        standing=STANDING_25,
        attendance=range(1, 14),
        votes=votes_of(for_=range(1, 8), against=range(8, 14)),
    )
    assert (t.enrolled, t.present, t.for_, t.against) == (25, 13, 7, 6)
    assert t.quorum_met and t.passed
    assert outcome_of(t) == OUTCOME_PASSED


def test_25_enrolled_12_present_fails_quorum():
    t = compute_tally(
        mode="in_person",
        standing=STANDING_25,
        attendance=range(1, 13),
        votes=votes_of(for_=range(1, 13)),
    )
    assert t.present == 12
    assert not t.quorum_met and not t.passed
    assert outcome_of(t) == OUTCOME_NO_QUORUM


def test_26_enrolled_13_present_fails_quorum():
    t = compute_tally(
        mode="in_person",
        standing=STANDING_25,
        extra=[26],
        attendance=range(1, 14),
        votes=votes_of(for_=range(1, 14)),
    )
    assert (t.enrolled, t.present) == (26, 13)
    assert not t.quorum_met and not t.passed


def test_tie_does_not_pass():
    t = compute_tally(
        mode="in_person",
        standing=range(1, 21),
        attendance=range(1, 13),
        votes=votes_of(for_=range(1, 7), against=range(7, 13)),
    )
    assert (t.enrolled, t.present, t.for_, t.against) == (20, 12, 6, 6)
    assert t.quorum_met and not t.passed
    assert outcome_of(t) == OUTCOME_NOT_PASSED


def test_abstentions_count_toward_quorum_but_not_for():
    # 11 present of 20: 5 for and 6 abstain -> quorum met, but 5 is not a majority of 11.
    t = compute_tally(
        mode="written",
        standing=range(1, 21),
        votes=votes_of(for_=range(1, 6), abstain=range(6, 12)),
    )
    assert (t.present, t.for_, t.abstain) == (11, 5, 6)
    assert t.quorum_met and not t.passed


def test_recused_member_reduces_enrolled_and_their_vote_is_ignored():
    t = compute_tally(
        mode="in_person",
        standing=STANDING_25,
        recused=[25, 99],  # 99 was never a member: not counted as recused
        attendance=range(1, 13),
        votes=votes_of(for_=[*range(1, 8), 25], against=range(8, 13)),
    )
    assert (t.enrolled, t.recused, t.present, t.for_) == (24, 1, 12, 7)
    # 12 of 24 is not a majority: the recusal lowered the roll but not enough.
    assert not t.quorum_met
    t2 = compute_tally(
        mode="in_person",
        standing=STANDING_25,
        recused=[24, 25],
        attendance=range(1, 13),
        votes=votes_of(for_=[*range(1, 7), 24, 25], against=range(7, 13)),
    )
    assert (t2.enrolled, t2.recused, t2.present, t2.for_, t2.against) == (23, 2, 12, 6, 6)
    assert t2.quorum_met and not t2.passed


def test_extra_members_are_enrolled_for_the_item():
    t = compute_tally(
        mode="in_person",
        standing=range(1, 11),
        extra=[101, 102],
        attendance=[1, 2, 3, 4, 5, 101, 102],
        votes=votes_of(for_=[1, 2, 101, 102], against=[3, 4, 5]),
    )
    assert (t.enrolled, t.present, t.for_) == (12, 7, 4)
    assert t.passed


def test_votes_from_non_enrolled_users_are_ignored():
    t = compute_tally(
        mode="in_person",
        standing=range(1, 4),
        attendance=[1, 2, 500],
        votes=votes_of(for_=[1, 500, 501], against=[2]),
    )
    assert (t.enrolled, t.present, t.for_, t.against) == (3, 2, 1, 1)
    assert t.quorum_met and not t.passed


def test_written_mode_non_voters_are_not_present():
    t = compute_tally(
        mode="written",
        standing=range(1, 11),
        attendance=range(1, 11),  # ignored in writing: only voters are present
        votes=votes_of(for_=range(1, 5)),
    )
    assert (t.enrolled, t.present) == (10, 4)
    assert not t.quorum_met


def test_in_person_attendee_who_did_not_vote_counts_present():
    t = compute_tally(
        mode="in_person",
        standing=range(1, 11),
        attendance=range(1, 7),
        votes=votes_of(for_=range(1, 4), against=[4]),
    )
    assert (t.present, t.for_) == (6, 3)
    assert t.quorum_met and not t.passed  # 3 of 6 is a tie with the non-voters


def test_in_person_voter_not_in_attendance_counts_present():
    t = compute_tally(
        mode="in_person", standing=range(1, 4), attendance=[1], votes=votes_of(for_=[2])
    )
    assert (t.present, t.for_) == (2, 1)


def test_duplicate_ids_in_standing_and_extra_count_once():
    t = compute_tally(
        mode="written",
        standing=[1, 2, 3, 3, 4],
        extra=[4, 5, 5],
        votes=votes_of(for_=[1, 2, 3]),
    )
    assert (t.enrolled, t.present) == (5, 3)
    assert t.passed


def test_empty_roll_has_no_quorum():
    t = compute_tally(mode="written", standing=[], votes={})
    assert t.enrolled == 0 and not t.quorum_met and not t.passed


def test_as_dict_keys():
    t = compute_tally(mode="written", standing=[1], votes={1: "for"})
    assert t.as_dict() == {
        "enrolled": 1,
        "recused": 0,
        "present": 1,
        "for": 1,
        "against": 0,
        "abstain": 0,
        "quorum_met": True,
        "passed": True,
    }


def test_unknown_mode_raises():
    with pytest.raises(ValueError, match="mode"):
        compute_tally(mode="video", standing=[1], votes={})


def test_unknown_choice_raises():
    with pytest.raises(ValueError, match="choice"):
        compute_tally(mode="written", standing=[1], votes={1: "yes"})


def test_tally_is_frozen():
    t = compute_tally(mode="written", standing=[1], votes={})
    with pytest.raises(AttributeError):
        t.present = 5  # type: ignore[misc]
    assert isinstance(t, Tally)


# --- properties ---------------------------------------------------------------------------

ids = st.integers(min_value=1, max_value=40)
id_sets = st.sets(ids, max_size=30)
choices = st.sampled_from(["for", "against", "abstain"])
scenarios = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["in_person", "written"]),
        "standing": id_sets,
        "extra": st.lists(ids, max_size=5),
        "recused": st.lists(ids, max_size=5),
        "attendance": st.lists(ids, max_size=40),
        "votes": st.dictionaries(ids, choices, max_size=40),
    }
)


@given(scenarios)
def test_counts_are_consistent(kw):
    t = compute_tally(**kw)
    assert 0 <= t.present <= t.enrolled
    assert t.for_ + t.against + t.abstain <= t.present
    assert t.recused <= len(set(kw["recused"]))
    if t.passed:
        assert t.quorum_met
    assert outcome_of(t) in {OUTCOME_PASSED, OUTCOME_NOT_PASSED, OUTCOME_NO_QUORUM}


@given(scenarios, st.data())
def test_another_for_vote_from_a_present_member_never_unpasses(kw, data):
    before = compute_tally(**kw)
    enrolled = (set(kw["standing"]) | set(kw["extra"])) - set(kw["recused"])
    shown = set(kw["votes"]) | (set(kw["attendance"]) if kw["mode"] == "in_person" else set())
    present = sorted(enrolled & shown)
    if not present:
        return
    member = data.draw(st.sampled_from(present))
    after = compute_tally(**{**kw, "votes": {**kw["votes"], member: "for"}})
    assert after.present == before.present
    assert after.for_ >= before.for_
    if before.passed:
        assert after.passed


def test_a_tally_comes_back_from_the_dict_it_is_carried_as():
    t = compute_tally(mode="in_person", standing=[1, 2, 3], votes={1: "for", 2: "against"})
    assert Tally.from_dict(t.as_dict()) == t

"""Counting a vote of the National Smart City Committee on one agenda item.

Pure functions only, so the legal arithmetic can be tested without a database or web layer.

- Smart City Act art. 23(2): the committee has up to 30 members (the standing members).
- Smart City Act art. 23(3): for each agenda item, the vice-minister of each agency concerned
  and the head of the local government concerned join as members ("extra" members).
- Enforcement Decree art. 26(2): the committee meets with a majority of the enrolled members
  present (quorum) and resolves with a majority of the members present voting for.

A member with a conflict of interest is recused: neither enrolled nor present, and any vote
they cast is ignored, so a recusal lowers the bar for quorum rather than counting as absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

__all__ = [
    "MAX_STANDING_MEMBERS", "MODES", "CHOICES", "OUTCOME_PASSED", "OUTCOME_NOT_PASSED", "OUTCOME_NO_QUORUM",
    "Tally", "compute_tally", "outcome_of",
]  # fmt: skip

# Act 23(2): the committee's own members, at most (the per-item members of 23(3) come on top).
MAX_STANDING_MEMBERS = 30

MODES = frozenset({"in_person", "written"})
CHOICES = frozenset({"for", "against", "abstain"})

OUTCOME_PASSED = "passed"
OUTCOME_NOT_PASSED = "not_passed"
OUTCOME_NO_QUORUM = "no_quorum"


@dataclass(frozen=True)
class Tally:
    """The counted result of one item; ``for_`` because ``for`` is a keyword."""

    enrolled: int
    recused: int
    present: int
    for_: int
    against: int
    abstain: int
    quorum_met: bool
    passed: bool

    def as_dict(self) -> dict:
        return {("for" if k == "for_" else k): v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, counted: Mapping[str, object]) -> Tally:
        """Back from ``as_dict``: a tally as the API and the pages carry it."""
        return cls(**{("for_" if k == "for" else k): v for k, v in counted.items()})  # type: ignore[arg-type]


def compute_tally(
    *,
    mode: str,
    standing: Iterable[int],
    extra: Iterable[int] = (),
    recused: Iterable[int] = (),
    attendance: Iterable[int] = (),
    votes: Mapping[int, str],
) -> Tally:
    """Count one item. Raises ValueError on an unknown mode or vote choice.

    In a written deliberation there is no room to sit in, so only those who voted are present;
    in person, a recorded attendee who did not vote still counts toward quorum.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode: {mode!r}")
    bad = {c for c in votes.values() if c not in CHOICES}
    if bad:
        raise ValueError(f"unknown vote choice(s): {sorted(map(repr, bad))}")

    members = set(standing) | set(extra)  # art. 23(2) and (3); duplicates count once
    recused_members = members & set(recused)
    enrolled = members - recused_members
    shown = set(votes) if mode == "written" else set(attendance) | set(votes)
    present = shown & enrolled
    counted = [votes[m] for m in present if m in votes]
    n_for = counted.count("for")

    # Decree art. 26(2): strict majorities; an empty roll never has quorum, a tie never passes.
    quorum_met = len(present) * 2 > len(enrolled)
    passed = quorum_met and n_for * 2 > len(present)
    return Tally(
        enrolled=len(enrolled),
        recused=len(recused_members),
        present=len(present),
        for_=n_for,
        against=counted.count("against"),
        abstain=counted.count("abstain"),
        quorum_met=quorum_met,
        passed=passed,
    )


def outcome_of(t: Tally) -> str:
    """The item's recorded outcome: no quorum means no resolution at all, not a rejection."""
    if not t.quorum_met:
        return OUTCOME_NO_QUORUM
    return OUTCOME_PASSED if t.passed else OUTCOME_NOT_PASSED

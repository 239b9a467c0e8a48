"""The usual people of a test: one per role, several committee members."""

from __future__ import annotations

from dataclasses import dataclass, field

from .people import People

SECRETARIAT = "sec@molit.go.kr"
SEJONG = "official@sejong.go.kr"
BUSAN = "official@busan.go.kr"
KNPA = "officer@police.go.kr"
PIPC = "officer@pipc.go.kr"
MOTIE = "officer@motie.go.kr"
APPLICANT = "ceo@mobility.example"
OTHER_APPLICANT = "ceo@rival.example"


@dataclass
class Cast:
    people: People
    members: list[str] = field(default_factory=list)

    def member_ids(self) -> list[int]:
        return [self.people.id(m) for m in self.members]


def make_cast(people: People, members: int = 5) -> Cast:
    people.user(SECRETARIAT, "secretariat", "MOLIT", "김사무")
    people.user(SEJONG, "local_government", "sejong", "세종 담당관")
    people.user(BUSAN, "local_government", "busan", "부산 담당관")
    people.user(KNPA, "agency", "KNPA", "경찰청 담당")
    people.user(PIPC, "agency", "PIPC", "개인정보위 담당")
    people.user(MOTIE, "agency", "MOTIE", "산업부 담당")
    people.user(APPLICANT, "applicant", "mobility", "모빌리티 대표")
    people.user(OTHER_APPLICANT, "applicant", "rival", "경쟁사 대표")
    cast = Cast(people)
    for n in range(1, members + 1):
        email = f"member{n}@committee.go.kr"
        people.user(email, "committee_member", "MOLIT", f"위원 {n}")
        cast.members.append(email)
    return cast

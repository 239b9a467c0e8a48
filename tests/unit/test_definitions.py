"""Every process definition in workflows/ is sound, and bad definitions are refused.

The generic checks run over whatever ``load_engine()`` finds, so a new workflow file is
checked the day it is added.
"""

from __future__ import annotations

import copy
import random
from collections import deque
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox.domain.calendar import default_calendar
from sandbox.engine.definitions import (
    RELATIONS,
    Definition,
    DefinitionError,
    Registry,
    parse_definition,
)
from sandbox.engine.hooks import EFFECTS, GUARDS
from sandbox.engine.runtime import Engine, load_engine

ENGINE = load_engine()
DEFINITIONS = ENGINE.registry.all()
IDS = [f"{d.process}-v{d.version}" for d in DEFINITIONS]
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def by_definition(fn: Any) -> Any:
    return pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)(fn)


def test_the_known_processes_are_loaded():
    assert {"district_designation", "consultation"} <= ENGINE.registry.processes()


def test_every_case_process_starts_in_draft():
    """Visibility hides a draft from all but its filer (services.visibility.DRAFT)."""
    from sandbox.services.cases import FILER_ROLES
    from sandbox.services.visibility import DRAFT

    assert {ENGINE.registry.get(p).initial for p in FILER_ROLES} == {DRAFT}


@pytest.mark.parametrize(("process", "trigger"), [
    ("district_designation", "lift"), ("special_exception", "order_correction"),
    ("special_exception", "suspend"), ("special_exception", "propose_revocation"),
    ("district_designation", "withdraw"),
])
def test_actions_on_ones_own_initiative_are_never_asked_of_anyone(process, trigger):
    """A designated district is not a to-do for the secretariat because it could be lifted."""
    assert ENGINE.registry.get(process).asked(trigger) is False
    assert ENGINE.registry.get("district_designation").asked("open_resident_opinion") is True


def reachable(d: Definition) -> set[str]:
    seen, queue = {d.initial}, deque([d.initial])
    while queue:
        state = queue.popleft()
        for t in d.transitions:
            dest = t.dest_from(state)
            if state in t.sources and dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return seen


@by_definition
def test_every_state_is_reachable_from_the_initial_state(definition):
    assert reachable(definition) == set(definition.states)


@by_definition
def test_every_non_final_state_has_an_exit(definition):
    for state in set(definition.states) - definition.final:
        exits = [t for t in definition.transitions
                 if state in t.sources and t.dest_from(state) != state]
        assert exits, f"{definition.process}: {state} is a dead end"


@by_definition
def test_final_states_are_states_and_have_no_exit(definition):
    assert definition.final <= set(definition.states)
    assert definition.initial not in definition.final
    for t in definition.transitions:
        assert not set(t.sources) & definition.final, t.trigger


@by_definition
def test_every_transition_names_roles(definition):
    for t in definition.transitions:
        assert t.roles, f"{definition.process}: {t.trigger} names no roles"
        assert set(t.roles) <= RELATIONS, t.roles
        assert set(t.notify) <= RELATIONS, t.notify


@by_definition
def test_every_guard_and_effect_exists(definition):
    for t in definition.transitions:
        for name in t.guards:
            assert name in GUARDS, f"{definition.process}: unknown guard {name}"
        for name in t.effects:
            assert name in EFFECTS, f"{definition.process}: unknown effect {name}"


@by_definition
def test_timers_name_periods_of_every_rule_set(definition):
    for timer in definition.timers:
        for code, rules in ENGINE.rule_sets.items():
            # A timer ending on a day its filing names (insurance_cover) has no period.
            assert timer.period in rules.periods or (timer.last_day_from and not timer.period), (
                f"{timer.kind}: no {timer.period} in {code}")
            if timer.reminders:
                assert timer.reminders in rules.reminders, f"{timer.kind}: no ladder in {code}"


@by_definition
def test_timers_fire_a_system_transition_wherever_they_run(definition):
    states = set(definition.states)
    for timer in definition.timers:
        assert set(timer.starts_in) <= set(timer.runs_in), timer.kind
        assert set(timer.runs_in) | set(timer.paused_in) <= states, timer.kind
        if timer.on_expiry is None:
            continue
        running = set(timer.runs_in) - set(timer.paused_in)
        for state in running:
            candidates = definition.candidates(timer.on_expiry, state)
            assert candidates, f"{timer.kind} expires in {state} but {timer.on_expiry} can't fire"
            assert any("system" in t.roles for t in candidates), (timer.kind, state)


class Token:
    """A plain object for ``transitions`` to drive, as the engine's door does."""

    state: str


def available(definition: Definition, model: Token) -> set[str]:
    return {t for t in definition.triggers if model.may_trigger(t)}  # type: ignore[attr-defined]


@by_definition
def test_save_and_reload_mid_path_changes_nothing(definition):
    rng = random.Random(f"{definition.process}:{definition.version}")
    machine = definition.machine()
    seen: set[str] = set()
    for _walk in range(30):
        walker = Token()
        machine.add_model(walker, initial=definition.initial)
        try:
            for _step in range(40):
                saved = walker.state
                seen.add(saved)
                assert isinstance(saved, str) and saved in definition.states
                fresh = Token()
                machine.add_model(fresh, initial=saved)
                try:
                    expected = available(definition, walker)
                    assert available(definition, fresh) == expected, saved
                    assert {t for t in definition.triggers
                            if definition.candidates(t, saved)} == expected, saved
                    assert set(machine.get_triggers(saved)) == expected, saved
                    if not expected:
                        assert saved in definition.final
                        break
                    trigger = rng.choice(sorted(expected))
                    walker.trigger(trigger)  # type: ignore[attr-defined]
                    fresh.trigger(trigger)  # type: ignore[attr-defined]
                    assert fresh.state == walker.state
                    [transition, *_] = definition.candidates(trigger, saved)
                    assert walker.state == transition.dest_from(saved)
                finally:
                    machine.remove_model(fresh)
        finally:
            machine.remove_model(walker)
    # The walks visited most of the machine (a sanity check on the walk itself).
    assert len(seen) >= len(definition.states) // 2


# --- refused definitions -----------------------------------------------------------------

VALID: dict[str, Any] = {
    "process": "toy",
    "version": 1,
    "filer_roles": ["applicant"],
    "initial": "draft",
    "final": ["done", "withdrawn"],
    "states": {"draft": {}, "submitted": {}, "done": {}, "withdrawn": {}},
    "transitions": [
        {"trigger": "submit", "source": "draft", "dest": "submitted", "roles": ["filer"]},
        {"trigger": "approve", "source": "submitted", "dest": "done", "roles": ["secretariat"]},
        {"trigger": "withdraw", "source": ["draft", "submitted"], "dest": "withdrawn",
         "roles": ["filer"], "payload": {"reason": "text"}},
        {"trigger": "note", "source": "submitted", "dest": "=", "roles": ["secretariat"]},
        {"trigger": "lapse", "source": "submitted", "dest": "withdrawn", "roles": ["system"]},
    ],
    "timers": [
        {"kind": "review", "starts_in": ["submitted"], "period": "supplement",
         "on_expiry": "lapse"},
    ],
}


def variant(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(VALID)
    raw.update(changes)
    return raw


def test_the_toy_definition_is_valid():
    d = parse_definition(VALID)
    assert d.triggers == {"submit", "approve", "withdraw", "note", "lapse"}
    assert d.candidates("note", "submitted")[0].dest_from("submitted") == "submitted"


def test_refuses_an_unreachable_state():
    raw = variant()
    raw["states"]["orphan"] = {}
    raw["transitions"].append(
        {"trigger": "adopt", "source": "orphan", "dest": "done", "roles": ["secretariat"]})
    with pytest.raises(DefinitionError, match="unreachable states.*orphan"):
        parse_definition(raw)


def test_refuses_a_non_final_state_without_exit():
    raw = variant()
    raw["states"]["stuck"] = {}
    raw["transitions"].append(
        {"trigger": "park", "source": "submitted", "dest": "stuck", "roles": ["secretariat"]})
    with pytest.raises(DefinitionError, match="without an exit.*stuck"):
        parse_definition(raw)


def test_refuses_a_state_whose_only_move_is_to_itself():
    raw = variant()
    raw["states"]["loop"] = {}
    raw["transitions"] += [
        {"trigger": "park", "source": "submitted", "dest": "loop", "roles": ["secretariat"]},
        {"trigger": "spin", "source": "loop", "dest": "=", "roles": ["secretariat"]},
    ]
    with pytest.raises(DefinitionError, match="without an exit.*loop"):
        parse_definition(raw)


@pytest.mark.parametrize("roles", [[], None])
def test_refuses_a_transition_without_roles(roles):
    raw = variant()
    raw["transitions"][1]["roles"] = roles
    with pytest.raises(DefinitionError, match="approve names no roles"):
        parse_definition(raw)


def test_refuses_a_transition_without_a_roles_key():
    raw = variant()
    del raw["transitions"][1]["roles"]
    with pytest.raises(DefinitionError):
        parse_definition(raw)


def test_refuses_an_unknown_role():
    raw = variant()
    raw["transitions"][1]["roles"] = ["minister"]
    with pytest.raises(DefinitionError, match="unknown roles"):
        parse_definition(raw)


@pytest.mark.parametrize("where", ["source", "dest"])
def test_refuses_an_unknown_state_name(where):
    raw = variant()
    raw["transitions"][1][where] = "aproved"
    with pytest.raises(DefinitionError, match="unknown state 'aproved'"):
        parse_definition(raw)


@pytest.mark.parametrize("field", ["initial", "final"])
def test_refuses_unknown_initial_or_final_states(field):
    raw = variant(**{field: "nowhere" if field == "initial" else ["done", "nowhere"]})
    with pytest.raises(DefinitionError, match="nowhere"):
        parse_definition(raw)


def test_refuses_a_timer_in_an_unknown_state():
    raw = variant()
    raw["timers"][0]["starts_in"] = ["submited"]
    with pytest.raises(DefinitionError, match="timer review names unknown"):
        parse_definition(raw)


def test_refuses_a_timer_firing_an_unknown_trigger():
    raw = variant()
    raw["timers"][0]["on_expiry"] = "expire"
    with pytest.raises(DefinitionError, match="unknown trigger"):
        parse_definition(raw)


def test_a_timer_on_a_day_its_filing_names_is_checked_at_load():
    """starts_on + last_day_from (the insurance's last day): the transition must carry that
    date, the timer must say where it runs, and a timer needs a period or such a day."""
    raw = variant()
    raw["transitions"][3]["payload"] = {"until": "date?"}  # note: "=" on submitted
    raw["timers"].append({"kind": "cover", "starts_on": ["note"], "last_day_from": "until",
                          "runs_in": ["submitted"]})
    cover = parse_definition(raw).timers[-1]
    assert (cover.starts_on, cover.last_day_from, cover.period) == (("note",), "until", "")
    for broken, message in (
        ({"last_day_from": "since"}, "does not carry the date 'since'"),
        ({"starts_on": ["submit"]}, "does not carry the date"),
        ({"last_day_from": None}, "neither a period nor a last day"),
        ({"runs_in": []}, "says nowhere it runs"),
    ):
        bad = copy.deepcopy(raw)
        bad["timers"][-1].update(broken)
        with pytest.raises(DefinitionError, match=message):
            parse_definition(bad)


def test_refuses_leaving_a_final_state():
    raw = variant()
    raw["transitions"].append(
        {"trigger": "reopen", "source": "done", "dest": "submitted", "roles": ["secretariat"]})
    with pytest.raises(DefinitionError, match="reopen leaves a final state"):
        parse_definition(raw)


def test_refuses_a_trigger_defined_twice_for_one_state_without_a_guard_to_choose():
    raw = variant()
    raw["transitions"].append(
        {"trigger": "approve", "source": "submitted", "dest": "withdrawn", "roles": ["secretariat"]})
    with pytest.raises(DefinitionError, match="shadowed by an earlier unguarded one"):
        parse_definition(raw)


def test_a_guarded_alternative_may_precede_another_destination():
    raw = variant()
    first = next(t for t in raw["transitions"] if t["trigger"] == "approve")
    raw["transitions"].insert(raw["transitions"].index(first), {
        "trigger": "approve", "source": first["source"], "dest": "withdrawn",
        "roles": ["secretariat"], "guards": ["some_guard"]})
    definition = parse_definition(raw)
    assert [t.dest for t in definition.candidates("approve", "submitted")] == ["withdrawn", first["dest"]]


def test_refuses_an_unknown_payload_type():
    raw = variant()
    raw["transitions"][2]["payload"] = {"reason": "essay"}
    with pytest.raises(DefinitionError, match="unknown type"):
        parse_definition(raw)


@pytest.mark.parametrize("kind", ["choice:", "choice:a||b", "choice:a|", "choices:a|b"])
def test_refuses_a_choice_without_codes(kind):
    raw = variant()
    raw["transitions"][2]["payload"] = {"reason": kind}
    with pytest.raises(DefinitionError, match="unknown type"):
        parse_definition(raw)


def test_a_choice_field_takes_one_of_its_codes_and_says_which_otherwise():
    from sandbox.domain.errors import Invalid
    from sandbox.engine.payload import clean_payload

    spec = {"ground": "choice:fraud|deviation", "note": "choice:a|b?"}
    assert clean_payload(spec, {"ground": "fraud"}, lambda code: False) == {"ground": "fraud"}
    for wrong in ("dislike", 3, ["fraud"]):
        with pytest.raises(Invalid) as refused:
            clean_payload(spec, {"ground": wrong}, lambda code: False)
        assert refused.value.errors == {"ground": ["다음 중 하나를 고르세요. / One of: fraud, deviation"]}
    raw = variant()
    raw["transitions"][2]["payload"] = {"reason": "choice:a|b?"}
    assert parse_definition(raw).transitions[2].payload == {"reason": "choice:a|b?"}


def test_refuses_a_malformed_definition():
    raw = variant()
    del raw["states"]
    with pytest.raises(DefinitionError, match="malformed"):
        parse_definition(raw)


def test_registry_refuses_the_same_version_twice():
    d = parse_definition(VALID)
    with pytest.raises(DefinitionError, match="defined twice"):
        Registry([d, parse_definition(VALID)])


def _engine_with(raw: dict[str, Any]) -> Engine:
    return Engine(Registry([parse_definition(raw)]), ENGINE.rule_sets, default_calendar())


def test_engine_accepts_the_toy_definition():
    assert _engine_with(VALID).registry.get("toy").version == 1


def test_engine_refuses_an_unknown_guard_or_effect():
    raw = variant()
    raw["transitions"][1]["guards"] = ["moon_is_full"]
    with pytest.raises(DefinitionError, match="unknown guard 'moon_is_full'"):
        _engine_with(raw)
    raw = variant()
    raw["transitions"][1]["effects"] = ["print_certificate_twice"]
    with pytest.raises(DefinitionError, match="unknown effect"):
        _engine_with(raw)


def test_engine_refuses_a_timer_period_missing_from_a_rule_set():
    raw = variant()
    raw["timers"][0]["period"] = "coffee_break"
    with pytest.raises(DefinitionError, match="no period 'coffee_break'"):
        _engine_with(raw)


def _labels(node: Any, path: str = "") -> Any:
    """Every Korean/English pair in a workflow file, with where it is."""
    if isinstance(node, dict):
        if "ko" in node or "en" in node:
            yield path, node
        for key, value in node.items():
            yield from _labels(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _labels(value, f"{path}[{i}]")


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_label_is_one_korean_and_one_english_text(path):
    """An unquoted comma in a YAML flow mapping splits a label: ``{en: Approved, awaiting
    the district}`` reads as "Approved" plus a key "awaiting the district"."""
    for where, label in _labels(yaml.safe_load(path.read_text(encoding="utf-8"))):
        assert set(label) == {"ko", "en"}, f"{path.name}{where}: {label} (quote a text with a comma)"
        assert all(isinstance(v, str) and v.strip() for v in label.values()), f"{path.name}{where}"


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
def test_everything_people_see_of_a_definition_has_its_words(definition):
    """States, the actions people fire and the deadlines are shown by name in both
    languages: none may fall back to its code ("request_supplement", "Draft" in Korean)."""
    from sandbox.vocabulary import ACTIONS, DEADLINES

    for state in definition.states:
        label = definition.states[state]
        assert label.get("ko") and label.get("en"), f"{definition.process}: state {state}"
    people_fire = {t.trigger for t in definition.transitions if set(t.roles) - {"system"}}
    assert not people_fire - set(ACTIONS), sorted(people_fire - set(ACTIONS))
    kinds = {t.kind for t in definition.timers}
    assert not kinds - set(DEADLINES), sorted(kinds - set(DEADLINES))

"""Process definitions: loaded from ``workflows/*.yaml`` and checked before use.

A definition lists states, transitions (trigger, sources, dest, roles, guards, effects,
payload fields, who is notified) and the timers a state starts. The engine never names a
state in code; everything it knows about a process comes from here (ARCHITECTURE rule 1).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import yaml
from transitions import Machine

from .payload import choices_of

__all__ = [
    "Definition",
    "DefinitionError",
    "Registry",
    "TimerDef",
    "TransitionDef",
    "load_registry",
    "PAYLOAD_TYPES",
    "RELATIONS",
    "Token",
]

# Who may fire a transition: roles relative to the case, resolved by engine.access.
RELATIONS = frozenset(
    {"filer", "secretariat", "local_government", "agency", "system", "committee"}
)
PAYLOAD_TYPES = frozenset({"text", "line", "int", "date", "datetime", "agencies", "bool"})
SAME_STATE = "="


class DefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    sources: tuple[str, ...]
    dest: str  # "=" stays in the source state
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    payload: Mapping[str, str] = field(default_factory=dict)
    notify: tuple[str, ...] = ()
    # A filing: whoever fired it is told too (everyone else who acts knows what they did),
    # and the message is the receipt (Administrative Procedures Act art. 17④: 접수증).
    receipt: bool = False
    # Taken whenever its actor chooses (a withdrawal, an incident report): offered on the
    # case, but no worklist shows it as asked of anyone.
    own_initiative: bool = False

    def dest_from(self, source: str) -> str:
        return source if self.dest == SAME_STATE else self.dest


@dataclass(frozen=True)
class TimerDef:
    kind: str
    starts_in: tuple[str, ...]
    runs_in: tuple[str, ...]
    paused_in: tuple[str, ...]
    period: str
    period_days_from: str | None = None
    period_months_from: str | None = None  # a correction order's months, say
    # Count from 00:00 KST of the starting day, so that day counts (Civil Act 157 proviso):
    # the term of an exception starts on the approval's effective day.
    from_day_start: bool = False
    on_expiry: str | None = None
    reminders: str | None = None
    notify: tuple[str, ...] = ()
    roll: bool = True  # Civil Act 161; terms of an exception do not roll
    # Another timer of the subject this one may never outlast (the 90-day cap of Act 49⑤).
    capped_by: str | None = None
    # A timer that (re)starts when one of these transitions fires, whatever the state, and
    # ends on the day its payload names (an insurance policy's last day, Decree 57), not
    # after a period; a new filing replaces it.
    starts_on: tuple[str, ...] = ()
    last_day_from: str | None = None

    @cached_property
    def live_in(self) -> frozenset[str]:
        """The states in which this timer can be active (started, running or paused)."""
        return frozenset((*self.starts_in, *self.runs_in, *self.paused_in))


@dataclass
class Definition:
    process: str
    version: int
    title: Mapping[str, str]
    initial: str
    final: frozenset[str]
    states: Mapping[str, Mapping[str, str]]
    transitions: tuple[TransitionDef, ...]
    timers: tuple[TimerDef, ...]
    filer_roles: tuple[str, ...] = ()
    _local: threading.local = field(default_factory=threading.local, repr=False)

    # The door asks these on every transition: indexed once (a definition never changes).
    @cached_property
    def triggers(self) -> frozenset[str]:
        return frozenset(t.trigger for t in self.transitions)

    @cached_property
    def _by_trigger(self) -> Mapping[str, tuple[TransitionDef, ...]]:
        return {name: tuple(t for t in self.transitions if t.trigger == name) for name in self.triggers}

    def roles_for(self, trigger: str) -> frozenset[str]:
        return frozenset(r for t in self._by_trigger.get(trigger, ()) for r in t.roles)

    def candidates(self, trigger: str, state: str) -> list[TransitionDef]:
        """Transitions for ``trigger`` out of ``state``, in file order (first match wins)."""
        return [t for t in self._by_trigger.get(trigger, ()) if state in t.sources]

    def asked(self, trigger: str) -> bool:
        """Whether someone waits for this action (see TransitionDef.own_initiative)."""
        return any(not t.own_initiative for t in self._by_trigger.get(trigger, ()))

    def label(self, state: str, lang: str = "ko") -> str:
        return self.states.get(state, {}).get(lang, state)

    def machine(self) -> Machine:
        """A ``transitions`` machine for this definition, one per thread (not thread-safe)."""
        machine = getattr(self._local, "machine", None)
        if machine is None:
            machine = build_machine(self)
            self._local.machine = machine
        return machine

    def token(self) -> Token:
        """A plain model kept on this thread's machine, for the door to place and drive.

        Adding a model to a machine builds its trigger methods; doing that once per thread
        instead of once per transition saves a tenth of a transition's time.
        """
        token = getattr(self._local, "token", None)
        if token is None:
            token = Token()
            self.machine().add_model(token, initial=self.initial)
            self._local.token = token
        return token


class Token:
    """The plain object ``transitions`` drives (never the SQLModel row, see ARCHITECTURE)."""

    state: str


def build_machine(definition: Definition) -> Machine:
    """One machine transition per (trigger, source, dest). Where a trigger leads from one
    state to several (chosen by guards in the door), the trigger is called with the chosen
    destination and the condition lets only that one through."""
    specs = []
    for t in definition.transitions:
        for source in t.sources:
            dest = t.dest_from(source)
            specs.append({
                "trigger": t.trigger, "source": source, "dest": dest,
                "conditions": [partial(_is_chosen, dest)],
            })
    return Machine(
        model=None,
        states=list(definition.states),
        transitions=specs,
        initial=definition.initial,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


def _is_chosen(dest: str, chosen: str | None = None) -> bool:
    return chosen is None or chosen == dest


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def parse_definition(raw: Mapping[str, Any]) -> Definition:
    try:
        states = dict(raw["states"])
        transitions = tuple(
            TransitionDef(
                trigger=t["trigger"],
                sources=_tuple(t["source"]),
                dest=t["dest"],
                roles=_tuple(t["roles"]),
                guards=_tuple(t.get("guards")),
                effects=_tuple(t.get("effects")),
                payload=dict(t.get("payload") or {}),
                notify=_tuple(t.get("notify")),
                receipt=bool(t.get("receipt", False)),
                own_initiative=bool(t.get("own_initiative", False)),
            )
            for t in raw["transitions"]
        )
        timers = tuple(
            TimerDef(
                kind=t["kind"],
                starts_in=_tuple(t.get("starts_in")),
                runs_in=_tuple(t.get("runs_in") or t.get("starts_in")),
                paused_in=_tuple(t.get("paused_in")),
                period=t.get("period", ""),
                period_days_from=t.get("period_days_from"),
                period_months_from=t.get("period_months_from"),
                from_day_start=bool(t.get("from_day_start", False)),
                on_expiry=t.get("on_expiry"),
                reminders=t.get("reminders"),
                notify=_tuple(t.get("notify")),
                roll=bool(t.get("roll", True)),
                capped_by=t.get("capped_by"),
                starts_on=_tuple(t.get("starts_on")),
                last_day_from=t.get("last_day_from"),
            )
            for t in raw.get("timers") or ()
        )
        definition = Definition(
            process=raw["process"],
            version=int(raw["version"]),
            title=raw.get("title") or {},
            initial=raw["initial"],
            final=frozenset(_tuple(raw.get("final"))),
            states=states,
            transitions=transitions,
            timers=timers,
            filer_roles=_tuple(raw.get("filer_roles")),
        )
    except (KeyError, TypeError) as exc:
        raise DefinitionError(f"malformed definition: {exc!r}") from exc
    validate(definition)
    return definition


def validate(d: Definition) -> None:
    """Structural checks: a definition that fails them is never loaded."""
    where = f"{d.process} v{d.version}"
    known = set(d.states)
    if d.initial not in known:
        raise DefinitionError(f"{where}: initial state {d.initial!r} is not a state")
    if not d.final <= known:
        raise DefinitionError(f"{where}: unknown final states {sorted(d.final - known)}")
    for t in d.transitions:
        for state in (*t.sources, *(() if t.dest == SAME_STATE else (t.dest,))):
            if state not in known:
                raise DefinitionError(f"{where}: {t.trigger} names unknown state {state!r}")
        if not t.roles:
            raise DefinitionError(f"{where}: {t.trigger} names no roles (deny by default)")
        if bad := set(t.roles) - RELATIONS:
            raise DefinitionError(f"{where}: {t.trigger} has unknown roles {sorted(bad)}")
        for name, kind in t.payload.items():
            options = choices_of(kind)
            if kind.rstrip("?") not in PAYLOAD_TYPES and not (options and all(options)):
                raise DefinitionError(f"{where}: {t.trigger}.{name} has unknown type {kind}")
        if set(t.sources) & d.final:
            raise DefinitionError(f"{where}: {t.trigger} leaves a final state")
    # One trigger may lead from a state to several destinations, chosen by guards in file
    # order: every alternative but the last must have a guard, or the later ones are dead.
    seen: dict[tuple[str, str], TransitionDef] = {}
    for t in d.transitions:
        for source in t.sources:
            earlier = seen.get((t.trigger, source))
            same_dest = earlier is not None and earlier.dest_from(source) == t.dest_from(source)
            if earlier is not None and (not earlier.guards or same_dest):
                raise DefinitionError(
                    f"{where}: {t.trigger} from {source} is shadowed by an earlier unguarded one"
                )
            seen[(t.trigger, source)] = t
    for timer in d.timers:
        for state in (*timer.starts_in, *timer.runs_in, *timer.paused_in):
            if state not in known:
                raise DefinitionError(f"{where}: timer {timer.kind} names unknown {state!r}")
        if timer.on_expiry and timer.on_expiry not in d.triggers:
            raise DefinitionError(f"{where}: timer {timer.kind} fires unknown trigger")
        if not timer.period and not timer.last_day_from:
            raise DefinitionError(f"{where}: timer {timer.kind} has neither a period nor a last day")
        if timer.starts_on and not timer.runs_in:
            raise DefinitionError(
                f"{where}: timer {timer.kind} starts on a transition and says nowhere it runs")
        for trigger in timer.starts_on:
            declared = [t.payload.get(timer.last_day_from or "", "") for t in d.transitions
                        if t.trigger == trigger]
            if not declared or not all(kind.rstrip("?") == "date" for kind in declared):
                raise DefinitionError(f"{where}: timer {timer.kind} starts on {trigger}, "
                                      f"which does not carry the date {timer.last_day_from!r}")
    kinds = [t.kind for t in d.timers]
    for index, timer in enumerate(d.timers):
        if timer.capped_by and timer.capped_by not in kinds[:index]:
            raise DefinitionError(f"{where}: {timer.kind} is capped by a timer not defined before it")
    unreachable = known - reachable_states(d)
    if unreachable:
        raise DefinitionError(f"{where}: unreachable states {sorted(unreachable)}")
    exits = {s for t in d.transitions for s in t.sources if t.dest_from(s) != s}
    if stuck := known - d.final - exits:
        raise DefinitionError(f"{where}: non-final states without an exit {sorted(stuck)}")
    build_machine(d)  # let ``transitions`` reject what it cannot drive


def reachable_states(d: Definition) -> set[str]:
    seen, queue = {d.initial}, deque([d.initial])
    while queue:
        state = queue.popleft()
        for t in d.transitions:
            if state in t.sources and (dest := t.dest_from(state)) not in seen:
                seen.add(dest)
                queue.append(dest)
    return seen


class Registry:
    """Every loaded definition, by process and version; new cases take the latest."""

    def __init__(self, definitions: Iterable[Definition]) -> None:
        self._by_key: dict[tuple[str, int], Definition] = {}
        self._latest: dict[str, Definition] = {}
        for d in definitions:
            if (d.process, d.version) in self._by_key:
                raise DefinitionError(f"{d.process} v{d.version} is defined twice")
            self._by_key[(d.process, d.version)] = d
            if d.process not in self._latest or d.version > self._latest[d.process].version:
                self._latest[d.process] = d

    def get(self, process: str, version: int | None = None) -> Definition:
        if version is None:
            return self._latest[process]
        return self._by_key[(process, version)]

    def latest(self) -> list[Definition]:
        return list(self._latest.values())

    def all(self) -> list[Definition]:
        return list(self._by_key.values())

    def processes(self) -> frozenset[str]:
        return frozenset(self._latest)


def load_registry(directory: Path) -> Registry:
    definitions = []
    for path in sorted(directory.glob("**/*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "process" in raw:
            definitions.append(parse_definition(raw))
    return Registry(definitions)

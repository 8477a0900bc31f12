"""One small toolkit for state machines: a table of steps and the one `transition()` that reads it.

Each area declares its table once — `(from state, action) → Step(to, who may, label)` — as a
`Workflow`; services ask `workflow.transition(state, action, parts)` for the step (or get the
area's Chinese refusal), and pages/APIs ask `workflow.allowed(state, parts)` for the buttons. "Who
may" is whatever the area calls its actors — roles (ledgers, meetings) or parts played for the
object (reporting, corrections, supervision); `parts=None` means a system actor, which every
step admits. A `Workflow` is a read-only mapping, so `(state, action) in wf` and `wf.get(...)` work.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

ANYONE: frozenset[str] = frozenset()  # a step with no actors listed: the service checks who may itself


@dataclass(frozen=True)
class Step:
    to: str
    actors: frozenset[str] = ANYONE
    label: Any = ""
    needs_reason: bool = False


class Workflow(Mapping[tuple[str, str], Step]):
    """A transition table: `Workflow({(state, action): Step(...)}, labels={action: label})`."""

    def __init__(self, steps: Mapping[tuple[str, str], Step], *, labels: Mapping[str, Any] | None = None) -> None:
        self._steps = dict(steps)
        self._labels = dict(labels or {})

    def __getitem__(self, key: tuple[str, str]) -> Step:
        return self._steps[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def states(self) -> set[str]:
        return {state for state, _action in self._steps} | {step.to for step in self._steps.values()}

    @property
    def actions(self) -> list[str]:
        return sorted({action for _state, action in self._steps})

    def label(self, action: str) -> str:
        """The action's label: from `labels`, else from the first step that takes it, else its code."""
        if action in self._labels:
            return str(self._labels[action])
        for (_state, name), step in self._steps.items():
            if name == action and step.label:
                return str(step.label)
        return action

    def who_may(self, action: str) -> frozenset[str]:
        """Everyone any step of `action` admits (to refuse early, before reading the state)."""
        return frozenset().union(*(s.actors for (_st, name), s in self._steps.items() if name == action))

    def allowed(self, state: str, parts: Collection[Any] | None) -> list[tuple[str, Step]]:
        """The steps open from `state` to someone playing `parts` (None: a system actor), in table order."""
        return [
            (action, step)
            for (from_state, action), step in self._steps.items()
            if from_state == state and (parts is None or not step.actors or step.actors & set(parts))
        ]

    def transition(
        self,
        state: str,
        action: str,
        parts: Collection[Any] | None = None,
        *,
        refused: Any = None,
        forbidden: Any = None,
        code: str = "invalid_transition",
    ) -> Step:
        """The step `action` takes from `state`, or the area's refusal: a `ValidationError` (`refused`,
        with `code`) when the table has no such step, `PermissionDenied` (`forbidden`) when `parts`
        (None: a system actor) plays none of the step's actors. Changes nothing itself."""
        step = self._steps.get((state, action))
        if step is None:
            raise ValidationError(refused or f"“{state}”不能执行“{self.label(action)}”。", code=code)
        if parts is not None and step.actors and not step.actors & set(parts):
            raise PermissionDenied(forbidden or f"您无权执行“{self.label(action)}”。")
        return step

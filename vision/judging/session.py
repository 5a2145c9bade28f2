"""A routine's step-by-step progress: pure logic shared by the CLI, the app and replays.

A :class:`RoutineSession` walks a :class:`~vision.routines.Routine` one step at
a time. Judged events (:class:`vision.pipeline.JudgedEvent`) are fed to
:meth:`RoutineSession.observe` as they finish; an event belongs to the step
that is current when it is observed (a whole batch goes to the step current
when the call starts, after that step has been left if its time ran out),
unless most of it happened before that step began (its middle is earlier):
then it belongs to the step before, as the pipeline judged it. A
step that is complete is left at once and the next one starts. Time comes only
from the timestamps passed in (seconds, the frames' own clock), never from the
wall clock, and must not go backwards.

What counts toward a step's ``done`` (only events whose verdicts are all
``ok``, and only in the step's lanes; non-ok verdicts are counted in
``flags``):

- effleurage, deep_stroke: strokes in ``step.direction`` (``any``: every
  direction but lateral); unit "strokes".
- petrissage: seconds of strokes in any direction (or strokes, if the step
  counts repetitions).
- friction: circles turned (``event.count`` of ``circles`` events), or seconds
  of circles if the step has a duration.
- cross_fiber: passes (``event.count`` of ``cross_fiber`` events), or seconds.
- press: presses (ok ``hold`` events; the judge decides what is short enough).
- hold: holds (ok ``hold`` events).
- instruction: seconds since the step started; the target is ``duration_s``,
  :data:`INSTRUCTION_DEFAULT_S` if the step gives none.

A step with ``repetitions`` counts them (its unit above); a step with only
``duration_s`` counts seconds ("s"): the time covered by its counted events
(the union of their intervals, so two hands working at once count the time
once); a step with neither has no target and is complete only when
:meth:`RoutineSession.next` leaves it. A step is complete when done >= target.

``hands: both`` (for steps that count strokes, presses or holds): one
repetition is a pair of such events from two different hands whose end times
are within :data:`PAIR_WINDOW_S` of each other, both ok. Such an event with no
partner from another hand is counted once as ``one_hand_missing`` in
``flags`` once the window has passed (or the step was left); so one hand alone
never completes the step.

Moving on when the giver has (:class:`MoveOnRule`): while on a step, every
event is judged also against each later step (instruction steps aside), as if
that step were current. When, for ``MoveOnRule.seconds`` of movement and at
least ``MoveOnRule.moves`` movements, the events count toward a later step,
clean under it, and nothing they do counts toward the current step, the giver
has moved on: the session moves on to that later step (the nearest, when
several fit), which begins where that stretch began. The step left is *cut
short* (``StepProgress.cut_short``, with how much of it was done), any step
between is cut short with nothing done, and the events of the stretch are
judged again under the step they belonged to (:meth:`RoutineSession.take_moves`),
so that a correct movement of the new step carries no flag of the old one.
Within a stretch, an event that counts toward the current step ends it (the
giver is still at it), and so does one flagged under the later step for
something it is not flagged for under the current one (it fits the later
step worse); events that count toward neither and are no worse under the
later step (an effleurage return stroke, a resting hand) go along with it. So
one stray movement never moves the session on, and a step drilled alone (the
runner's "stay on this step": a routine of one step) has no later step.

Scoring, as implemented:

- A judged step's score = ``round(100 * ok_events / events)`` (Python's
  ``round``) over every event observed during it (all kinds, counted or not),
  where an ok event is one whose verdicts (the judge's) are all ``ok``; 0 when
  the step saw no events at all. Instruction steps have no score (None).
- Overall score = ``round`` of the mean of the judged steps' scores over the
  steps that were visited (the current one included; a repeated step by its
  last attempt); None when no judged step was visited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from vision.core.types import OK, JudgedEvent, MotionEvent, MoveOn, Verdict
from vision.judging.judge import judge_event
from vision.judging.routines import Routine, Step

INSTRUCTION_DEFAULT_S = 10.0  # an instruction step without duration_s lasts this long
PAIR_WINDOW_S = 1.5  # hands: both: the two hands' events end within this of each other
# moving on (MoveOnRule): a few seconds of a later step's movements, and more than one of them, so that
# one movement that happens to fit another step (an effleurage glide is also a kneading stroke) never does
MOVE_ON_S = 3.0
MOVE_ON_MOVES = 2

# technique -> (the event kind it counts, its repetition unit)
_COUNTS: dict[str, tuple[str, str]] = {
    "effleurage": ("stroke", "strokes"),
    "deep_stroke": ("stroke", "strokes"),
    "petrissage": ("stroke", "strokes"),
    "friction": ("circles", "circles"),
    "cross_fiber": ("cross_fiber", "passes"),
    "press": ("hold", "presses"),
    "hold": ("hold", "holds"),
}


#: How an event is judged against a step it was not judged against (a later step, for moving on): the
#: step, the event as judged, and the same hand's previous event of the same kind (presses climb).
Judge = Callable[[Step, JudgedEvent, MotionEvent | None], tuple[Verdict, ...]]


def judge_alone(step: Step, je: JudgedEvent, previous: MotionEvent | None) -> tuple[Verdict, ...]:
    """The judge's verdicts alone (the runner adds the pipeline's, which need the other hand's strokes)."""
    return tuple(judge_event(step, je.event, previous))


@dataclass(frozen=True)
class MoveOnRule:
    """When the movements count as a later step's (see the module docstring): for ``seconds`` of movement
    (the time the fitting events cover, two hands at once counting once) and at least ``moves`` movements
    (a set of circles or cross-fibre passes counts each circle or pass)."""

    seconds: float = MOVE_ON_S
    moves: int = MOVE_ON_MOVES


# what the movements became, for the note on a step cut short
_BECAME = {
    "effleurage": "effleurage strokes",
    "deep_stroke": "deep strokes",
    "petrissage": "kneading",
    "friction": "friction circles",
    "cross_fiber": "cross-fibre passes",
    "press": "presses",
    "hold": "holds",
}


def _number(x: float | int) -> str:
    return f"{round(x, 1):g}"


def cut_short_note(title: str, done: float | int, target: float | int | None, unit: str, to: Step) -> str:
    """The note on a step cut short: "Petrissage was cut short: 2 of 4 s done; moved on to Friction when your
    movements became friction circles" (or "... was skipped; ..." when nothing of it was done)."""
    why = f"moved on to {to.title} when your movements became {_BECAME.get(to.technique, to.technique)}"
    if not done:
        return f"{title} was skipped; {why}"
    amount = f"{_number(done)} of {_number(target)}" if target is not None else _number(done)
    return f"{title} was cut short: {amount} {unit} done; {why}"


@dataclass(frozen=True)
class StepProgress:
    """Where one attempt at one step stands.

    ``done`` and ``target`` are in ``unit`` ("strokes", "circles", "passes",
    "presses", "holds" or "s"); ``target`` is None when the step is complete
    only by being skipped on. ``flags``: verdict name -> count, non-ok only.
    Times in seconds on the frames' clock; ``ended_s`` is None while current.
    """

    step_id: str
    title: str
    instruction: str
    unit: str
    done: float | int
    target: float | int | None
    complete: bool
    flags: dict[str, int]
    events: int
    ok_events: int
    started_s: float | None
    ended_s: float | None
    technique: str = ""
    attempt: int = 1  # 1 for the first attempt, 2 after one repeat(), ...
    # left because the movements had become a later step's (see the module docstring): that step's id,
    # and the note saying so; None otherwise
    moved_on_to: str | None = None
    note: str | None = None

    @property
    def cut_short(self) -> bool:
        """Left unfinished because the giver had moved on to a later step."""
        return self.moved_on_to is not None

    @property
    def score(self) -> int | None:
        """0..100 for a judged step (0 without events), None for an instruction step."""
        if self.technique == "instruction":
            return None
        return round(100 * self.ok_events / self.events) if self.events else 0

    def to_dict(self) -> dict:
        moved = {"cut_short": True, "moved_on_to": self.moved_on_to, "note": self.note} if self.cut_short else {}
        return {
            "step_id": self.step_id,
            "title": self.title,
            "technique": self.technique,
            "attempt": self.attempt,
            "asked": {"instruction": self.instruction, "target": self.target, "unit": self.unit},
            "done": self.done,
            "complete": self.complete,
            "flags": dict(self.flags),
            "events": self.events,
            "ok_events": self.ok_events,
            "score": self.score,
            "started_s": self.started_s,
            "ended_s": self.ended_s,
            **moved,
        }


def _interval_union_s(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, None
    for t0, t1 in sorted(intervals):
        if end is None or t0 > end:
            total += t1 - t0
            end = t1
        elif t1 > end:
            total += t1 - end
            end = t1
    return total


def qualifies(step: Step, ev: JudgedEvent) -> bool:
    """Is this the kind of event the step counts, where and the way it asks for it (verdicts aside)?"""
    m = ev.event
    if step.technique == "instruction" or m.kind != _COUNTS[step.technique][0] or m.lane not in step.lanes:
        return False
    if m.kind != "stroke":
        return True
    want = step.direction
    if want == "any":
        return step.technique == "petrissage" or m.direction != "lateral"  # kneading goes every way
    return m.direction == want


def counts_toward(step: Step, ev: JudgedEvent) -> bool:
    """Does the event, as judged, count toward the step (the kind it asks for, and all ok)?"""
    return ev.ok and qualifies(step, ev)


def _movements(ev: JudgedEvent) -> int:
    """How many movements an event is: a set of circles or cross-fibre passes is one per circle or pass."""
    return max(1, int(ev.event.count)) if ev.event.kind in ("circles", "cross_fiber") else 1


def _middle(ev: JudgedEvent) -> float:
    return 0.5 * (ev.event.t_start + ev.event.t_end)


def _judged_again(je: JudgedEvent, verdicts: tuple[Verdict, ...]) -> JudgedEvent:
    """The event with the verdicts of another step; a flag it keeps was raised when it first was. An event
    whose hand was not seen well enough (``unsure``) gets no flag under the other step either."""
    if je.unsure is not None:
        verdicts = tuple(v for v in verdicts if v.name == "ok") or (OK,)
    bad = any(v.name != "ok" for v in verdicts)
    flagged_at = (je.flagged_at if je.flagged_at is not None else je.event.t_end) if bad else None
    return JudgedEvent(je.event, je.hand, verdicts, flagged_at, je.unsure)


@dataclass
class _Stretch:
    """The events since the movements may have become one later step's (see the module docstring)."""

    start_s: float | None = None  # where it began: its first event that fits there, or fits there better
    events: list[tuple[JudgedEvent, tuple[Verdict, ...]]] = field(default_factory=list)  # and its verdicts there
    fits: list[tuple[float, float]] = field(default_factory=list)  # the events counting toward the later step
    moves: int = 0


@dataclass
class _Single:
    """An event that needs a partner from the other hand (hands: both)."""

    hand: int
    t_end: float
    ok: bool
    paired: bool = False


class _Attempt:
    """The mutable state of one attempt at one step."""

    def __init__(self, step: Step, attempt: int, started_s: float | None):
        self.step = step
        self.attempt = attempt
        self.started_s = started_s
        self.ended_s: float | None = None
        self.events = 0
        self.ok_events = 0
        self.flags: Counter[str] = Counter()
        self.count = 0  # units counted (count mode, no pairing)
        self.intervals: list[tuple[float, float]] = []  # counted events (seconds mode)
        self.singles: list[_Single] = []  # hands: both
        self.pairs = 0  # ok pairs (hands: both)
        self.observed: list[JudgedEvent] = []  # every event added, in order
        self.moved_on_to: str | None = None  # cut short: the later step the giver moved on to
        self.note: str | None = None

        tech = step.technique
        if tech == "instruction":
            self.mode, self.unit = "time", "s"
            self.target: float | int | None = step.duration_s or INSTRUCTION_DEFAULT_S
        elif step.repetitions is not None:
            self.mode, self.unit, self.target = "count", _COUNTS[tech][1], step.repetitions
        elif step.duration_s is not None:
            self.mode, self.unit, self.target = "seconds", "s", step.duration_s
        else:
            self.mode, self.unit, self.target = "count", _COUNTS[tech][1], None
        self.kind = _COUNTS[tech][0] if tech != "instruction" else None
        self.paired = self.mode == "count" and step.hands == "both" and self.kind in ("stroke", "hold")

    # -- events --------------------------------------------------------------------------

    def add(self, ev: JudgedEvent) -> None:
        self.observed.append(ev)
        self.events += 1
        ok = ev.ok
        if ok:
            self.ok_events += 1
        for v in ev.verdicts:
            if v.name != "ok":
                self.flags[v.name] += 1
        if not qualifies(self.step, ev):
            return
        m = ev.event
        if self.paired:
            self._pair(_Single(ev.hand, m.t_end, ok))
        elif ok and self.mode == "seconds":
            self.intervals.append((m.t_start, m.t_end))
        elif ok:
            self.count += 1 if m.kind in ("stroke", "hold") else int(m.count)

    def _pair(self, new: _Single) -> None:
        partners = [
            s for s in self.singles if not s.paired and s.hand != new.hand and abs(s.t_end - new.t_end) <= PAIR_WINDOW_S
        ]
        if partners:
            other = min(partners, key=lambda s: abs(s.t_end - new.t_end))
            other.paired = new.paired = True
            if other.ok and new.ok:
                self.pairs += 1
        self.singles.append(new)

    # -- state ---------------------------------------------------------------------------

    def done(self, now_s: float | None) -> float | int:
        if self.mode == "time":
            end = self.ended_s if self.ended_s is not None else now_s
            return max(0.0, end - self.started_s) if end is not None and self.started_s is not None else 0.0
        if self.mode == "seconds":
            return _interval_union_s(self.intervals)
        return self.pairs if self.paired else self.count

    def is_complete(self, now_s: float | None) -> bool:
        return self.target is not None and self.done(now_s) >= self.target

    def progress(self, now_s: float | None) -> StepProgress:
        flags = Counter(self.flags)
        for s in self.singles:
            if not s.paired and (self.ended_s is not None or (now_s is not None and now_s - s.t_end > PAIR_WINDOW_S)):
                flags["one_hand_missing"] += 1
        st = self.step
        return StepProgress(
            st.id,
            st.title,
            st.instruction,
            self.unit,
            self.done(now_s),
            self.target,
            self.is_complete(now_s),
            dict(flags),
            self.events,
            self.ok_events,
            self.started_s,
            self.ended_s,
            st.technique,
            self.attempt,
            self.moved_on_to,
            self.note,
        )


class RoutineSession:
    """The progress through one routine, step by step.

    ``start_step``: the id of the step to begin with (the steps before it are
    not visited). ``start_s``: when the session starts; if None, the first
    time passed to :meth:`observe`, :meth:`tick`, ... starts it.

    Every call that leaves steps returns their final :class:`StepProgress`.
    Once past the last step the session is ``finished``: ``current`` stays the
    last step, :meth:`progress` gives its final state, and further calls
    change nothing.
    """

    def __init__(
        self,
        routine: Routine,
        start_step: str | None = None,
        start_s: float | None = None,
        *,
        move_on: MoveOnRule | None = MoveOnRule(),
        judge: Judge = judge_alone,
    ):
        self.routine = routine
        self._index = routine.steps.index(routine.step(start_step)) if start_step is not None else 0
        self._now: float | None = start_s
        self._history: list[StepProgress] = []
        self._finished = False
        self._attempt = _Attempt(self.current, 1, start_s)
        self._move_on = move_on  # None: only a step done (or next()) leaves it
        self._judge = judge
        self._stretches: dict[int, _Stretch] = {}  # a later step's index -> the stretch that may be its
        self._previous: dict[tuple[int, str], MotionEvent] = {}  # (hand, kind) -> its last event
        self._moves: list[MoveOn] = []  # not yet taken

    # -- state ---------------------------------------------------------------------------

    @property
    def current(self) -> Step:
        return self.routine.steps[self._index]

    @property
    def index(self) -> int:
        return self._index

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def now_s(self) -> float | None:
        """The latest time the session was given."""
        return self._now

    def progress(self) -> StepProgress:
        """The current step's progress (the last step's final one once finished)."""
        if self._finished:
            return self._history[-1]
        return self._attempt.progress(self._now)

    def history(self) -> list[StepProgress]:
        """Every attempt at every step visited, in order; the current one last, still open."""
        return list(self._history) if self._finished else [*self._history, self.progress()]

    def summary(self) -> dict:
        """The session as plain data (see the module docstring for the scores)."""
        attempts = self.history()
        last = {p.step_id: p for p in attempts}  # a repeated step is scored by its last attempt
        scores = [p.score for p in last.values() if p.score is not None]
        return {
            "routine": self.routine.name,
            "steps": [p.to_dict() for p in attempts],
            "score": round(sum(scores) / len(scores)) if scores else None,
            "finished": self._finished,
        }

    # -- input ---------------------------------------------------------------------------

    def observe(self, events: Iterable[JudgedEvent], t_s: float) -> list[StepProgress]:
        """Add the events judged by ``t_s`` to the current step; return the steps completed and left
        (cut short too, when the giver has moved on: see :meth:`take_moves`)."""
        left = self.tick(t_s)
        if self._finished:
            return left
        moved = False
        for ev in events:
            started = self._attempt.started_s
            if started is not None and _middle(ev) < started - 1e-9:
                continue  # mostly done before this step began: it belongs (and was judged) with the one before
            key = (ev.hand, ev.event.kind)
            previous = self._previous.get(key)
            self._previous[key] = ev.event
            if moved:  # judged with the step just left, as the rest of this batch was: judged again
                again = _judged_again(ev, self._judge(self.current, ev, previous))
                last = self._moves[-1]
                self._moves[-1] = replace(last, rejudged=(*last.rejudged, (ev, again)))
                ev = again
            self._attempt.add(ev)
            if self._move_on is not None:
                cut = self._watch(ev, previous, self._move_on, t_s)
                if cut:
                    left += cut
                    moved = True
        return left + self._advance_if_complete(t_s)

    def take_moves(self) -> list[MoveOn]:
        """The times the session moved on since the last call (oldest first), each with the events it judged
        again: what the runner applies to its events and its pipeline."""
        moves, self._moves = self._moves, []
        return moves

    def tick(self, t_s: float) -> list[StepProgress]:
        """Let time pass to ``t_s``; return the steps completed and left (an instruction step's time ran out)."""
        self._clock(t_s)
        return [] if self._finished else self._advance_if_complete(t_s)

    def next(self, t_s: float) -> StepProgress | None:
        """Skip on: leave the current step as it is; its progress (None once finished)."""
        self._clock(t_s)
        return None if self._finished else self._leave(t_s)

    def repeat(self, t_s: float) -> StepProgress | None:
        """Start the current step again from zero; the abandoned attempt (None once finished)."""
        self._clock(t_s)
        if self._finished:
            return None
        old = self._close(t_s)
        self._attempt = _Attempt(self.current, old.attempt + 1, t_s)
        return old

    # -- internals -------------------------------------------------------------------------

    def _clock(self, t_s: float) -> None:
        t_s = float(t_s)
        if self._now is not None and t_s < self._now:
            raise ValueError(f"session time must not go backwards: got t={t_s:.3f} s after t={self._now:.3f} s")
        self._now = t_s
        if self._attempt.started_s is None:
            self._attempt.started_s = t_s

    def _advance_if_complete(self, t_s: float) -> list[StepProgress]:
        left = []
        while not self._finished and self._attempt.is_complete(t_s):
            at = t_s
            st = self._attempt.step
            if st.technique == "instruction" and self._attempt.started_s is not None:
                # its time ran out at a known moment: the next step starts then, not when we noticed
                at = min(t_s, self._attempt.started_s + (st.duration_s or INSTRUCTION_DEFAULT_S))
            left.append(self._leave(at))
        return left

    def _close(self, t_s: float, moved_on_to: Step | None = None) -> StepProgress:
        a = self._attempt
        a.ended_s = t_s
        if moved_on_to is not None:
            a.moved_on_to = moved_on_to.id
            a.note = cut_short_note(a.step.title, a.done(t_s), a.target, a.unit, moved_on_to)
        final = a.progress(t_s)
        self._history.append(final)
        self._stretches.clear()
        return final

    # -- moving on -------------------------------------------------------------------------

    def _later(self) -> range:
        return range(self._index + 1, len(self.routine.steps))

    def _watch(self, ev: JudgedEvent, previous: MotionEvent | None, rule: MoveOnRule, t_s: float) -> list[StepProgress]:
        """Follow the stretches that may be later steps' with one more event; move on when one is.
        The steps cut short (none if the session stays)."""
        if counts_toward(self._attempt.step, ev):
            self._stretches.clear()  # the giver is still at this step
            return []
        flags_here = {v.name for v in ev.verdicts if v.name != "ok"}
        for i in self._later():
            step = self.routine.steps[i]
            if step.technique == "instruction":
                continue  # nothing to see of it: the giver is never found doing it
            there = self._judge(step, ev, previous)
            flags_there = {v.name for v in there if v.name != "ok"}
            if flags_there - flags_here:
                self._stretches.pop(i, None)  # it fits that step worse than this one
                continue
            fits = not flags_there and qualifies(step, ev)
            telling = fits or bool(flags_here - flags_there)  # it fits there, or better there than here
            stretch = self._stretches.get(i)
            if stretch is None:
                if not telling:
                    continue  # as good (or bad) here as there, counting nowhere (a rest, a move across)
                stretch = self._stretches[i] = _Stretch()
            stretch.events.append((ev, there))
            if telling:
                start = ev.event.t_start
                stretch.start_s = start if stretch.start_s is None else min(stretch.start_s, start)
            if fits:
                stretch.fits.append((ev.event.t_start, ev.event.t_end))
                stretch.moves += _movements(ev)
        for i in sorted(self._stretches):
            stretch = self._stretches[i]
            if stretch.moves >= rule.moves and _interval_union_s(stretch.fits) >= rule.seconds:
                return self._move_to(i, stretch, t_s)
        return []

    def _move_to(self, index: int, stretch: _Stretch, t_s: float) -> list[StepProgress]:
        """Leave the current step cut short, and every step up to ``index``, where ``stretch`` began; the
        stretch's events (from there) go to step ``index``, judged as that step's."""
        old = self._attempt
        assert stretch.start_s is not None
        since = stretch.start_s if old.started_s is None else max(old.started_s, stretch.start_s)
        moving = [(je, there) for je, there in stretch.events if _middle(je) >= since - 1e-9]
        gone = {id(je) for je, _ in moving}
        kept = _Attempt(old.step, old.attempt, old.started_s)  # the step as it was without them
        for je in old.observed:
            if id(je) not in gone:
                kept.add(je)
        to = self.routine.steps[index]
        self._attempt = kept
        left = [self._close(since, to)]
        skipped = []
        for i in range(self._index + 1, index):
            self._index = i
            self._attempt = _Attempt(self.current, 1, since)
            skipped.append(self.current.id)
            left.append(self._close(since, to))
        self._index = index
        self._attempt = _Attempt(to, 1, since)
        pairs = []
        for je, there in moving:
            again = _judged_again(je, there)
            self._attempt.add(again)
            pairs.append((je, again))
        note = left[0].note or ""
        if skipped:
            note += f" ({', '.join(self.routine.step(i).title for i in skipped)} skipped)"
        self._moves.append(MoveOn(old.step.id, tuple(skipped), to.id, since, t_s, note, tuple(pairs)))
        return left

    def _leave(self, t_s: float) -> StepProgress:
        final = self._close(t_s)
        if self._index + 1 >= len(self.routine.steps):
            self._finished = True
        else:
            self._index += 1
            self._attempt = _Attempt(self.current, 1, t_s)
        return final

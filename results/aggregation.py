"""Counting results: pure Python over the rows of transferred snapshots, no database.

The rules, stated once:
- a row is a participant of the report whose class (parallel) equals the row's «Класс»;
- a participant with the absence code («отсутствовал») in any task is an absentee: counted, but
  left out of every score figure;
- `X` (the task was not attempted) and an empty task cell count as 0 of the task's maximum;
- a score above the task's maximum is capped at the maximum (the form refuses such values; a
  snapshot from an older form definition might not);
- the primary score is the sum of the task scores; the mark follows the definition's scale.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

NOT_ATTEMPTED_CODES = {"x", "х"}  # Latin and Cyrillic: both are typed for «X»


@dataclass(frozen=True)
class Spec:
    """What the build needs of one report definition, detached from the ORM."""

    definition_id: int
    grade: int
    task_keys: tuple[str, ...]
    max_scores: tuple[int, ...]
    grade_column: str
    absent_code: str
    mark_bounds: tuple[int, int, int] | None  # «3», «4», «5» from

    @property
    def max_total(self) -> int:
        return sum(self.max_scores)

    def mark_for(self, score: int) -> int | None:
        if self.mark_bounds is None:
            return None
        three, four, five = self.mark_bounds
        if score >= five:
            return 5
        if score >= four:
            return 4
        if score >= three:
            return 3
        return 2


@dataclass
class Counter:
    """Running totals of one level (an organization, a municipality, a region, everybody)."""

    tasks: int
    max_total: int
    with_marks: bool
    organizations: int = 0
    participants: int = 0
    absentees: int = 0
    score_sum: int = 0
    task_score_sums: list[int] = field(default_factory=list)
    score_counts: list[int] = field(default_factory=list)
    mark_counts: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.task_score_sums = self.task_score_sums or [0] * self.tasks
        self.score_counts = self.score_counts or [0] * (self.max_total + 1)
        self.mark_counts = self.mark_counts or ([0, 0, 0, 0] if self.with_marks else [])

    @classmethod
    def for_spec(cls, spec: Spec) -> "Counter":
        return cls(
            tasks=len(spec.task_keys),
            max_total=spec.max_total,
            with_marks=spec.mark_bounds is not None,
        )

    @property
    def is_empty(self) -> bool:
        return self.participants == 0 and self.absentees == 0

    def add_participant(self, scores: list[int], mark: int | None) -> None:
        total = sum(scores)
        self.participants += 1
        self.score_sum += total
        for index, score in enumerate(scores):
            self.task_score_sums[index] += score
        self.score_counts[total] += 1
        if mark is not None:
            self.mark_counts[mark - 2] += 1

    def merge(self, other: "Counter") -> None:
        self.organizations += other.organizations
        self.participants += other.participants
        self.absentees += other.absentees
        self.score_sum += other.score_sum
        for target, source in (
            (self.task_score_sums, other.task_score_sums),
            (self.score_counts, other.score_counts),
            (self.mark_counts, other.mark_counts),
        ):
            for index, value in enumerate(source):
                target[index] += value

    @property
    def average_score(self) -> Decimal | None:
        if not self.participants:
            return None
        return (Decimal(self.score_sum) / self.participants).quantize(Decimal("0.01"))


def parse_grade(value) -> int | None:
    try:
        return int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        return None


def task_score(value, max_score: int) -> int:
    """A task cell as a score: X and empty are 0, a number is capped to 0 … max."""
    if value.__class__ is str and value.isdigit():  # the usual cell, without Decimal
        number = int(value)
        return number if number <= max_score else max_score
    text = str(value if value is not None else "").strip()
    if not text or text.casefold() in NOT_ATTEMPTED_CODES:
        return 0
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return 0
    if not number.is_finite():
        return 0
    return max(0, min(int(number), max_score))


def _is_absence(value, spec: Spec) -> bool:
    return str(value or "").strip().casefold() == spec.absent_code.casefold()


def is_absent(values: dict, spec: Spec) -> bool:
    return any(_is_absence(values.get(key), spec) for key in spec.task_keys)


def count_row(values: dict, spec: Spec, counter: Counter) -> None:
    """Add one participant's row (already known to be of `spec.grade`) to `counter`.
    One pass over the tasks; a digit cell (the usual case) is read without further checks."""
    scores = []
    for key, max_score in zip(spec.task_keys, spec.max_scores, strict=True):
        value = values.get(key)
        if value.__class__ is str and value.isdigit():
            number = int(value)
            scores.append(number if number <= max_score else max_score)
            continue
        if _is_absence(value, spec):
            counter.absentees += 1
            return
        scores.append(task_score(value, max_score))
    counter.add_participant(scores, spec.mark_for(sum(scores)))


def snapshot_rows(data: dict, table_key: str):
    """The value dicts of the rows of one table of a transferred snapshot."""
    for table in (data or {}).get("tables", []):
        if table.get("key") == table_key:
            for row in table.get("rows", []):
                yield row.get("values") or {}

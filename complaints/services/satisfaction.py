"""The citizen satisfaction survey (Indeks Kepuasan Masyarakat, IKM) of
Permen PANRB 14/2017: nine service elements, each scored 1 (poor) to 4 (very good).

The index is the weighted mean of the nine element means (each element weighs 1/9,
the regulation's "NRR tertimbang") times 25, graded A to D. The arithmetic works on
exact fractions and rounds once, half up, at the end: rounding each element mean
first (as the regulation's worked example does by hand) can move the index by a
hundredth, and the KPI dashboard, which sums in SQL, must agree with the page.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Report, SatisfactionSurvey

ELEMENT_FIELDS = [field for field, _label in SatisfactionSurvey.ELEMENTS]
SCORE_MIN, SCORE_MAX = 1, 4
COMMENT_MAX_LENGTH = 2000

# Lower bounds of the converted index (nilai interval konversi), best grade first.
GRADE_BOUNDS = [
    ("A", Decimal("88.31")),
    ("B", Decimal("76.61")),
    ("C", Decimal("65.00")),
]
# Mutu pelayanan: sangat baik, baik, kurang baik, tidak baik. The same words label
# the four scores of each element.
QUALITY = {
    "A": gettext_lazy("Very good"),
    "B": gettext_lazy("Good"),
    "C": gettext_lazy("Fair"),
    "D": gettext_lazy("Poor"),
}
SCORE_LABELS = [
    (1, QUALITY["D"]),
    (2, QUALITY["C"]),
    (3, QUALITY["B"]),
    (4, QUALITY["A"]),
]


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    # Mean score per element (NRR per unsur), u1..u9, to 2 places.
    element_means: tuple[Decimal, ...]
    # Weighted mean of the element means (NRR tertimbang), to 4 places for display;
    # the index is computed from the exact value.
    mean: Decimal
    index: Decimal
    grade: str

    @property
    def quality(self) -> str:
        return QUALITY[self.grade]


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact non-negative fraction half up, with integers only."""
    scale = 10**places
    scaled = value * scale
    units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(units).scaleb(-places)


def _exact(value: Decimal | float | int | Fraction) -> Fraction:
    # A float goes through its shortest repr, so 3.09 means 309/100, not the
    # binary number nearest to it.
    if isinstance(value, float):
        return Fraction(str(value))
    return Fraction(value)


def ikm_index(mean: Decimal | float | int | Fraction) -> Decimal:
    """The index of a weighted mean score: mean × 25, to 2 places, half up."""
    return _round_half_up(_exact(mean) * 25, 2)


def ikm_grade(index: Decimal | float | int) -> str:
    """The grade (A, B, C, D) of an index."""
    value = Decimal(str(index))
    for grade, lower in GRADE_BOUNDS:
        if value >= lower:
            return grade
    return "D"


def _check_row(row: Sequence[int]) -> None:
    if len(row) != len(ELEMENT_FIELDS) or not all(_is_score(s) for s in row):
        raise ValueError(f"not nine scores from 1 to 4: {row!r}")


def ikm_of(score_rows: Iterable[Sequence[int]]) -> IkmResult | None:
    """The IKM of some answers, each a sequence of the nine scores u1..u9; None
    when there are none."""
    rows = [list(row) for row in score_rows]
    if not rows:
        return None
    for row in rows:
        _check_row(row)
    respondents = len(rows)
    element_means = [
        Fraction(sum(column), respondents) for column in zip(*rows, strict=True)
    ]
    mean = sum(element_means, Fraction(0)) / len(element_means)
    index = ikm_index(mean)
    return IkmResult(
        respondents=respondents,
        element_means=tuple(_round_half_up(m, 2) for m in element_means),
        mean=_round_half_up(mean, 4),
        index=index,
        grade=ikm_grade(index),
    )


def ikm_from_totals(*, respondents: int, score_sum: int) -> tuple[Decimal, str]:
    """(index, grade) from the number of answers and the sum of all their scores,
    for callers that aggregate in SQL; the same result as ikm_of on those rows."""
    elements = len(ELEMENT_FIELDS)
    if respondents <= 0:
        raise ValueError("no respondents")
    if (
        not SCORE_MIN * elements * respondents
        <= score_sum
        <= (SCORE_MAX * elements * respondents)
    ):
        raise ValueError(f"{score_sum} is not a sum of {respondents} answers")
    index = ikm_index(Fraction(score_sum, elements * respondents))
    return index, ikm_grade(index)


def _is_score(value) -> bool:
    # bool is an int in Python; True is not a score.
    return type(value) is int and SCORE_MIN <= value <= SCORE_MAX


def _refusal(*, actor, report: Report, answered: bool) -> ValidationError | None:
    """Why the actor may not answer the survey of this report, if they may not.
    The code tells a view which status to answer with."""
    if not getattr(actor, "is_authenticated", False) or (
        report.reporter_id != actor.pk
    ):
        return ValidationError(
            _("Only the citizen who filed this report can rate how it was handled."),
            code="forbidden",
        )
    if report.status != Report.Status.CLOSED:
        return ValidationError(
            _("How a report was handled can be rated once it is closed."),
            code="not_closed",
        )
    if answered:
        return ValidationError(
            _("You have already rated how this report was handled."),
            code="already",
        )
    return None


def survey_may_answer(*, actor, report: Report) -> bool:
    """Whether to offer the actor the survey of this report: the rules
    survey_submit enforces."""
    if _refusal(actor=actor, report=report, answered=False) is not None:
        return False
    # Uses the survey already joined by the page's selector when there is one.
    return not hasattr(report, "survey")


def survey_submit(
    *, actor, report_id: int, answers: Mapping[str, int], comment: str = ""
) -> SatisfactionSurvey:
    """Record the reporter's answer to the satisfaction survey of their closed
    report. Refused with a ValidationError whose code is "forbidden", "not_closed",
    "already" or "invalid"."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .only("id", "status", "reporter_id", "handling_unit_id")
            .get(pk=report_id)
        )
        refusal = _refusal(
            actor=actor,
            report=report,
            answered=SatisfactionSurvey.objects.filter(report_id=report.pk).exists(),
        )
        if refusal is not None:
            raise refusal
        wrong = [
            str(label)
            for field, label in SatisfactionSurvey.ELEMENTS
            if not _is_score(answers.get(field))
        ]
        if wrong:
            raise ValidationError(
                _("Score every element from 1 to 4. Missing or wrong: %(elements)s."),
                code="invalid",
                params={"elements": ", ".join(wrong)},
            )
        if not isinstance(comment, str):
            raise ValidationError(_("The comment must be text."), code="invalid")
        comment = comment.strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            raise ValidationError(
                _("The comment may be at most %(max)d characters long."),
                code="invalid",
                params={"max": COMMENT_MAX_LENGTH},
            )
        try:
            with transaction.atomic():
                survey = SatisfactionSurvey.objects.create(
                    report=report,
                    respondent=actor,
                    unit_id=report.handling_unit_id,
                    comment=comment,
                    created_at=timezone.now(),
                    **{field: answers[field] for field in ELEMENT_FIELDS},
                )
        except IntegrityError as exc:
            # Where the row lock does not serialise (SQLite), the one-to-one
            # does: the second of two simultaneous answers lands here.
            raise ValidationError(
                _("You have already rated how this report was handled."),
                code="already",
            ) from exc
        # Imported here: the statistics read this module's definitions.
        from transparency.aggregates import aggregates_refresh

        aggregates_refresh(report_id=report.pk)
        return survey

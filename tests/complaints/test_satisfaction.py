"""The citizen satisfaction survey (IKM, Permen PANRB 14/2017): its arithmetic, and
the reporter answering it from the public report page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from complaints.models import Report, SatisfactionSurvey
from complaints.services.photos import PhotoUpload
from complaints.services.satisfaction import (
    ikm_from_totals,
    ikm_grade,
    ikm_index,
    ikm_of,
    survey_submit,
)
from complaints.workflow import Action, transition
from tests.factories import citizen, image_bytes, officer, report_filed

GOOD_INTS = {f"u{i}": 3 for i in range(1, 10)}
GOOD = {field: str(score) for field, score in GOOD_INTS.items()}


def form_data(answers=None, comment=""):
    return {**GOOD, **(answers or {}), "comment": comment}


# The arithmetic ---------------------------------------------------------------


def test_a_mean_of_3_09_is_an_index_of_77_25_graded_b():
    assert ikm_index(Decimal("3.09")) == Decimal("77.25")
    assert ikm_index(3.09) == Decimal("77.25")
    assert ikm_grade(Decimal("77.25")) == "B"


def test_the_index_rounds_half_up_not_to_even():
    # 3.125 × 25 = 78.125: half up gives 78.13 (round() on a float gives 78.12).
    assert ikm_index(Decimal("3.125")) == Decimal("78.13")
    assert ikm_index(3.125) == Decimal("78.13")


@pytest.mark.parametrize(
    "index, grade",
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_grades_start_at_the_regulations_lower_bounds(index, grade):
    assert ikm_grade(Decimal(index)) == grade
    assert ikm_grade(float(index)) == grade


def test_two_respondents_worked_by_hand():
    # element:      u1   u2   u3   u4   u5   u6   u7   u8   u9   sum
    # first         3    3    4    3    3    4    4    3    2    29
    # second        4    3    3    2    3    4    3    3    3    28
    # NRR (mean)   3.5  3.0  3.5  2.5  3.0  4.0  3.5  3.0  2.5
    # weighted mean = (3.5+3+3.5+2.5+3+4+3.5+3+2.5) / 9 = 28.5 / 9 = 3.1666…
    # index = 3.1666… × 25 = 79.1666… → 79.17, which is B (76.61 to 88.30).
    rows = [[3, 3, 4, 3, 3, 4, 4, 3, 2], [4, 3, 3, 2, 3, 4, 3, 3, 3]]
    result = ikm_of(rows)
    assert result.respondents == 2
    assert result.element_means == tuple(
        Decimal(m) for m in ["3.50", "3.00", "3.50", "2.50", "3.00"]
    ) + tuple(Decimal(m) for m in ["4.00", "3.50", "3.00", "2.50"])
    assert result.mean == Decimal("3.1667")
    assert (result.index, result.grade) == (Decimal("79.17"), "B")
    assert ikm_from_totals(respondents=2, score_sum=29 + 28) == (Decimal("79.17"), "B")


def test_the_index_comes_from_exact_means_not_rounded_ones():
    # Eight answers: seven of 3,3,3,3,3,3,3,3,4 (sum 28) and one with u8 = 4 too
    # (sum 29). NRR u8 = 25/8 = 3.125, shown as 3.13; u9 = 4; the others 3.
    # Exact weighted mean = (7 × 3 + 3.125 + 4) / 9 = 28.125 / 9 = 3.125,
    # index = 78.125 → 78.13 (B). Rounding u8 to 3.13 first would give
    # (21 + 3.13 + 4) / 9 × 25 = 78.138… → 78.14.
    rows = [[3] * 8 + [4]] * 7 + [[3] * 7 + [4, 4]]
    result = ikm_of(rows)
    assert result.element_means[7] == Decimal("3.13")
    assert (result.index, result.grade) == (Decimal("78.13"), "B")
    assert ikm_from_totals(respondents=8, score_sum=7 * 28 + 29) == (
        result.index,
        result.grade,
    )


@pytest.mark.parametrize(
    "rows",
    [
        [[1] * 9],
        [[4] * 9],
        [[2, 3, 4, 1, 2, 3, 4, 1, 2], [4, 4, 4, 4, 4, 4, 4, 4, 3], [1] * 9],
        [[(i * 7 + j) % 4 + 1 for j in range(9)] for i in range(13)],
    ],
)
def test_totals_from_sql_agree_with_the_rows(rows):
    result = ikm_of(rows)
    assert ikm_from_totals(respondents=len(rows), score_sum=sum(map(sum, rows))) == (
        result.index,
        result.grade,
    )


def test_all_fours_is_100_and_all_ones_is_25():
    assert ikm_of([[4] * 9]).index == Decimal("100.00")
    assert ikm_of([[1] * 9]).index == Decimal("25.00")


def test_no_answers_have_no_index():
    assert ikm_of([]) is None


@pytest.mark.parametrize("row", [[3] * 8, [3] * 10, [0] + [3] * 8, [5] + [3] * 8])
def test_a_malformed_row_is_an_error_not_a_number(row):
    with pytest.raises(ValueError):
        ikm_of([row])


@pytest.mark.parametrize("respondents, score_sum", [(0, 0), (1, 8), (1, 37)])
def test_impossible_totals_are_an_error(respondents, score_sum):
    with pytest.raises(ValueError):
        ikm_from_totals(respondents=respondents, score_sum=score_sum)


# Answering from the public report page ---------------------------------------


def closed_report():
    """A report fixed by the kelurahan and confirmed by its reporter."""
    report = report_filed()
    clerk = officer(unit_code="KEL-31.74.02.1008")
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(1, 150, 1)))],
    )
    transition(actor=report.reporter, report_id=report.pk, action=Action.CONFIRM)
    report = Report.objects.get(pk=report.pk)
    assert report.status == Report.Status.CLOSED
    return report


def answer(client, report, data):
    url = reverse("transparency:report-survey", kwargs={"ticket": report.ticket})
    return client.post(url, data)


@pytest.mark.usefixtures("ref")
def test_the_reporter_rates_a_closed_report_and_everyone_sees_the_index(client):
    report = closed_report()
    client.force_login(report.reporter)
    page = client.get(report.get_absolute_url())
    assert page.context["survey_form"] is not None
    assert "Rate how your report was handled" in page.content.decode()

    # Eight 3s and a 4: mean 28 / 9 = 3.111…, index 77.777… → 77.78 (B).
    response = answer(
        client, report, form_data({"u9": "4"}, comment="  Cepat, terima kasih. ")
    )
    assert response.status_code == 302
    survey = SatisfactionSurvey.objects.get(report=report)
    assert survey.respondent == report.reporter
    assert survey.unit_id == report.handling_unit_id
    assert survey.scores == [3] * 8 + [4]
    assert survey.comment == "Cepat, terima kasih."

    html = client.get(response["Location"]).content.decode()
    assert "Thank you: your rating has been recorded." in html
    assert "IKM 77.78 (B): Good" in html
    assert "Rate how your report was handled" not in html

    client.logout()
    html = client.get(report.get_absolute_url()).content.decode()
    assert "IKM 77.78 (B): Good" in html
    assert "Cepat, terima kasih." not in html


@pytest.mark.usefixtures("ref")
def test_the_index_on_the_page_is_in_the_readers_language(client_id):
    report = closed_report()
    client_id.force_login(report.reporter)
    answer(client_id, report, form_data({"u9": "4"}))
    assert "IKM 77,78 (B)" in client_id.get(report.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("ref")
def test_a_stranger_cannot_rate_someone_elses_report(client):
    report = closed_report()
    client.force_login(citizen())
    page = client.get(report.get_absolute_url())
    assert page.context["survey_form"] is None
    assert answer(client, report, form_data()).status_code == 404
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_an_officer_of_the_unit_cannot_rate_it_either(client):
    report = closed_report()
    client.force_login(officer(unit_code="KEL-31.74.02.1008"))
    assert answer(client, report, form_data()).status_code == 404
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_logging_in_is_needed_to_rate(client):
    report = closed_report()
    response = answer(client, report, form_data())
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_a_second_answer_is_refused_and_changes_nothing(client):
    report = closed_report()
    client.force_login(report.reporter)
    assert answer(client, report, form_data()).status_code == 302
    response = answer(client, report, form_data({"u1": "1", "u2": "1"}, "again"))
    assert response.status_code == 409
    assert "You have already rated how this report was handled." in (
        response.content.decode()
    )
    survey = SatisfactionSurvey.objects.get()
    assert survey.scores == [3] * 9 and survey.comment == ""


@pytest.mark.usefixtures("ref")
@pytest.mark.parametrize(
    "answers",
    [{"u1": "0"}, {"u5": "5"}, {"u9": "abc"}, {"u3": ""}, {"u4": "-1"}],
)
def test_a_score_outside_1_to_4_is_refused_and_nothing_is_saved(client, answers):
    report = closed_report()
    client.force_login(report.reporter)
    response = answer(client, report, form_data(answers))
    assert response.status_code == 400
    assert response.context["survey_form"].errors.keys() == answers.keys()
    assert "Please fix the marked fields." in response.content.decode()
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_a_missing_element_is_refused_and_nothing_is_saved(client):
    report = closed_report()
    client.force_login(report.reporter)
    data = form_data()
    del data["u7"]
    response = answer(client, report, data)
    assert response.status_code == 400
    assert "Choose a score for this element." in response.content.decode()
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_a_comment_over_2000_characters_is_refused(client):
    report = closed_report()
    client.force_login(report.reporter)
    assert answer(client, report, form_data(comment="x" * 2001)).status_code == 400
    assert not SatisfactionSurvey.objects.exists()
    assert answer(client, report, form_data(comment="x" * 2000)).status_code == 302


@pytest.mark.usefixtures("ref")
def test_a_report_not_yet_closed_cannot_be_rated(client):
    report = report_filed()
    client.force_login(report.reporter)
    assert client.get(report.get_absolute_url()).context["survey_form"] is None
    response = answer(client, report, form_data())
    assert response.status_code == 409
    assert "once it is closed" in response.content.decode()
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_the_page_with_a_result_still_uses_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    report = closed_report()
    survey_submit(actor=report.reporter, report_id=report.pk, answers=GOOD_INTS)
    with django_assert_max_num_queries(6):
        client.get(report.get_absolute_url())


# The service's own rules, for callers other than the page ---------------------


@pytest.mark.usefixtures("ref")
@pytest.mark.parametrize(
    "answers",
    [
        {**GOOD_INTS, "u1": 0},
        {**GOOD_INTS, "u1": 5},
        {**GOOD_INTS, "u1": "3"},
        {**GOOD_INTS, "u1": 3.0},
        {**GOOD_INTS, "u1": True},
        {k: v for k, v in GOOD_INTS.items() if k != "u9"},
    ],
)
def test_the_service_takes_only_whole_scores_from_1_to_4(answers):
    report = closed_report()
    with pytest.raises(ValidationError) as refused:
        survey_submit(actor=report.reporter, report_id=report.pk, answers=answers)
    assert refused.value.code == "invalid"
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.usefixtures("ref")
def test_the_service_says_why_it_refuses():
    report = closed_report()
    open_report = report_filed()
    cases = [
        (citizen(), report, "forbidden"),
        (report.reporter, open_report, "forbidden"),
        (open_report.reporter, open_report, "not_closed"),
    ]
    for actor, target, code in cases:
        with pytest.raises(ValidationError) as refused:
            survey_submit(actor=actor, report_id=target.pk, answers=GOOD_INTS)
        assert refused.value.code == code
    survey_submit(actor=report.reporter, report_id=report.pk, answers=GOOD_INTS)
    with pytest.raises(ValidationError) as refused:
        survey_submit(actor=report.reporter, report_id=report.pk, answers=GOOD_INTS)
    assert refused.value.code == "already"

"""Intake pages: the public form and the officers' offline-channel form."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from complaints.forms import OfficerReportForm, ReportForm, photo_uploads
from complaints.models import Channel, Report
from complaints.selectors import map_settings
from complaints.services.intake import report_submit
from officers.permissions import is_officer
from transparency.ratelimits import over_limits, too_many_requests

WEB_CHANNEL_CODE = "web"


def _submit(request, form, *, channel) -> Report | None:
    data = form.cleaned_data
    try:
        result = report_submit(
            actor=request.user,
            channel=channel,
            category=data["category"],
            title=data["title"],
            description=data["description"],
            photos=photo_uploads(data["photos"]),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            location_source=data.get("location_source") or Report.LocationSource.PIN,
            kelurahan=data.get("kelurahan"),
            address=data["address"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            public_name=data["public_name"],
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    return result.report


def _remember_ticket(request, ticket: str) -> None:
    """The confirmation page is shown only to the browser that filed the report."""
    recent = request.session.get("submitted_tickets", [])
    request.session["submitted_tickets"] = [ticket, *recent[:19]]


def _intake_page(
    request, *, form_class, template: str, limits: list[str], channel=None
):
    # Counted before the form is read: over the limit nothing is checked or saved.
    if request.method == "POST" and over_limits(request, limits=limits):
        return too_many_requests(request, back=request.path)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = _submit(request, form, channel=channel or form.cleaned_data["channel"])
        if report is not None:
            _remember_ticket(request, report.ticket)
            return redirect("complaints:report-submitted", ticket=report.ticket)
    return render(
        request,
        template,
        {"form": form, "map": map_settings()},
        status=400 if request.method == "POST" else 200,
    )


def report_create(request):
    channel = get_object_or_404(Channel, code=WEB_CHANNEL_CODE, is_active=True)
    return _intake_page(
        request,
        form_class=ReportForm,
        template="complaints/report_form.html",
        limits=["report-ip", "report-user"],
        channel=channel,
    )


def report_submitted(request, ticket: str):
    # Only the browser that filed it sees the confirmation page; anyone may see the
    # public report page it links to.
    if ticket not in request.session.get("submitted_tickets", []):
        return redirect("transparency:report-detail", ticket=ticket)
    report = get_object_or_404(
        Report.objects.select_related("handling_unit"), ticket=ticket
    )
    return render(request, "complaints/report_submitted.html", {"report": report})


@login_required
def officer_report_create(request):
    if not is_officer(request.user):
        raise PermissionDenied
    return _intake_page(
        request,
        form_class=OfficerReportForm,
        template="complaints/officer_report_form.html",
        limits=["officer-report-ip", "officer-report-user"],
    )

"""The public portal's pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.models import Report
from transparency.forms import CitizenSignupForm, TrackForm
from transparency.selectors import report_public_get, reports_latest


@require_GET
def home(request):
    return render(
        request,
        "transparency/home.html",
        {"latest": reports_latest(limit=10), "track_form": TrackForm()},
    )


@require_GET
def report_detail(request, ticket: str):
    report = report_public_get(ticket=ticket)
    return render(request, "transparency/report_detail.html", {"report": report})


@require_GET
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        ticket = form.cleaned_data["ticket"].strip().upper()
        if Report.objects.filter(ticket=ticket).exists():
            return redirect("transparency:report-detail", ticket=ticket)
        messages.error(request, _("No report has ticket number %(t)s.") % {"t": ticket})
    return render(request, "transparency/track.html", {"track_form": form})


def signup(request):
    form = CitizenSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account has been created."))
        target = request.GET.get("next", "")
        if target.startswith("/") and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            return HttpResponseRedirect(target)
        return redirect("complaints:report-create")
    return render(request, "registration/signup.html", {"form": form})

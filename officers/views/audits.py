"""The supervisors' audit queue: sampled follow-ups to judge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.workflow import WorkflowError
from officers.forms import AuditVerdictForm
from officers.permissions import is_supervisor
from officers.selectors.audits import audit_queue
from officers.services.audit import AuditRefused, audit_decide


@login_required
def queue(request):
    if not is_supervisor(request.user):
        raise Http404
    page = Paginator(audit_queue(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "officers/audits.html",
        {"page": page, "form": AuditVerdictForm()},
    )


@login_required
@require_POST
def decide(request, sample_id: int):
    if not is_supervisor(request.user):
        raise Http404
    form = AuditVerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose adequate or not adequate."))
        return redirect("officers:audits")
    try:
        sample = audit_decide(
            actor=request.user,
            sample_id=sample_id,
            adequate=form.cleaned_data["adequate"],
            note=form.cleaned_data["note"],
        )
    except AuditRefused as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Audit of %(ticket)s recorded: %(verdict)s.")
            % {"ticket": sample.report.ticket, "verdict": sample.get_verdict_display()},
        )
    return redirect("officers:audits")

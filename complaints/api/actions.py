"""Workflow actions through the API: one endpoint per action of
complaints.workflow, with the same rules. The workflow decides who may do what:
a unit's system acts as an officer of its unit, a connector as the reporter of
the reports it brought in.

Refusals: 400 bad input, 403 not this integrator's to do, 404 a report it may not
see, 409 not possible in the report's status or the report changed since
``version``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.reports import NOT_FOUND, TICKET, detail_of
from complaints.forms import photo_uploads
from complaints.permissions import IsActiveIntegrator
from complaints.selectors import report_for_integrator
from complaints.serializers import (
    AcceptActionSerializer,
    ActionSerializer,
    CompleteActionSerializer,
    CoordinateActionSerializer,
    DisposeActionSerializer,
    DisputeActionSerializer,
    ExtensionRequestActionSerializer,
    FollowUpActionSerializer,
    MergeActionSerializer,
    RejectActionSerializer,
    ReportDetailSerializer,
    RequiredNoteActionSerializer,
)
from complaints.workflow import Action, WorkflowError, transition
from config.api import BAD_INPUT, REFUSALS, UNREADABLE_BODY, ErrorSerializer

# The URL name of each action, its input, and what it does.
ACTIONS = {
    Action.ACCEPT: (AcceptActionSerializer, _("Accept the report and start work")),
    Action.REJECT: (RejectActionSerializer, _("Reject the report, with a reason")),
    Action.DISPOSE: (DisposeActionSerializer, _("Dispose the report to another unit")),
    Action.ACCEPT_DISPOSITION: (
        ActionSerializer,
        _("Accept a report disposed to this unit"),
    ),
    Action.RETURN_DISPOSITION: (
        RequiredNoteActionSerializer,
        _("Return a disposed report to the unit that sent it"),
    ),
    Action.COORDINATE: (
        CoordinateActionSerializer,
        _("Invite other units to work on the report"),
    ),
    Action.FOLLOW_UP: (
        FollowUpActionSerializer,
        _("Post a follow-up, with proof photos"),
    ),
    Action.COMPLETE: (
        CompleteActionSerializer,
        _("Complete the report, with proof photos"),
    ),
    Action.DISPUTE: (
        DisputeActionSerializer,
        _("Reopen: the reporter disputes the follow-up"),
    ),
    Action.CONFIRM: (ActionSerializer, _("The reporter confirms the fix")),
    Action.REPLY: (RequiredNoteActionSerializer, _("Reply to the reporter")),
    Action.MERGE: (MergeActionSerializer, _("Merge the report into an original")),
    Action.REQUEST_EXTENSION: (
        ExtensionRequestActionSerializer,
        _("Ask the unit head for a later deadline"),
    ),
}
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description=_(
            "Not possible in the report's status, or the report changed since "
            "`version`."
        ),
    )
}


class ActionAPI(APIView):
    permission_classes = [IsActiveIntegrator]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    action: str
    serializer_class: type[ActionSerializer]

    def post(self, request, ticket: str):
        integrator = request.user.integrator
        report = report_for_integrator(integrator=integrator, ticket=ticket)
        incoming = self.serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            transition(
                actor=request.user,
                report_id=report.pk,
                action=self.action,
                expected_version=incoming.validated_data.get("version"),
                photos=photo_uploads(incoming.validated_data.get("photos") or []),
                **incoming.params(),
            )
        except WorkflowError as exc:
            body = {"detail": exc.message, "code": exc.code}
            if exc.errors:
                body["errors"] = exc.errors
            return Response(body, status=exc.status)
        return Response(
            detail_of(request, integrator, ticket), status=status.HTTP_200_OK
        )


def action_view(action: str):
    serializer, summary = ACTIONS[action]
    takes_files = "photos" in serializer().fields
    request = (
        {"multipart/form-data": serializer}
        if takes_files
        else {"application/json": serializer, "multipart/form-data": serializer}
    )

    def post(self, request, ticket: str):
        return ActionAPI.post(self, request, ticket)

    post = extend_schema(
        summary=summary,
        operation_id=f"reports_action_{action}",
        parameters=[TICKET],
        request=request,
        responses={
            200: OpenApiResponse(
                ReportDetailSerializer, description=_("Done: the report as it is now.")
            ),
            **BAD_INPUT,
            **UNREADABLE_BODY,
            **NOT_FOUND,
            **CONFLICT,
            **REFUSALS,
        },
    )(post)
    view = type(
        f"{action.title().replace('_', '')}ActionAPI",
        (ActionAPI,),
        {"action": action, "serializer_class": serializer, "post": post},
    )
    return view.as_view()

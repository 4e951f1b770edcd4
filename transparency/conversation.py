"""What the report page shows of its conversation: the comments, the comment form,
the follow buttons, and the sign-in-by-email form for visitors without an account.
"""

from django.db.models import Q

from complaints.models import Follow, Report
from complaints.services.comments import CLOSED_TO_COMMENTS
from complaints.services.follows import CLOSED_TO_FOLLOWS
from transparency.forms import CommentForm, EmailLinkForm


def conversation_context(
    request, report: Report, *, comment_form=None, email_link_form=None
) -> dict:
    """The report page's conversation, for ``report`` as given by
    ``transparency.selectors.report_public_get`` (comments prefetched). One query
    more for a logged-in visitor (what they follow), none for anyone else."""
    user = request.user
    following_report = following_area = False
    if user.is_authenticated:
        for report_id, area_id in (
            Follow.objects.filter(user=user)
            .filter(Q(report=report) | Q(area_id=report.area_id))
            .values_list("report_id", "area_id")
        ):
            following_report |= report_id is not None
            following_area |= area_id is not None
        if comment_form is None and report.status not in CLOSED_TO_COMMENTS:
            comment_form = CommentForm()
    elif email_link_form is None:
        email_link_form = EmailLinkForm(initial={"next": report.get_absolute_url()})
    return {
        "comments": report.comments.all(),
        "comment_form": comment_form,
        "email_link_form": email_link_form,
        "following_report": following_report,
        "following_area": following_area,
        "may_follow_report": report.status not in CLOSED_TO_FOLLOWS,
    }

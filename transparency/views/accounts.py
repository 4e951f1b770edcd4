"""Citizen accounts, and the login shared by citizens and officers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from transparency.forms import CitizenSignupForm, EmailOrUsernameLoginForm
from transparency.ratelimits import over_limit, too_many_requests


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


def login_rate_limited(view):
    """``view`` with its POSTs counted per client IP (WARGA_RATE_LOGINS_PER_IP):
    over the limit a 429 page, and the password is not even checked. Wrong
    passwords for one username are locked out by django-axes as well."""

    def limited(request, *args, **kwargs):
        if request.method == "POST" and over_limit(request, limit="login-ip"):
            return too_many_requests(request, back=request.path)
        return view(request, *args, **kwargs)

    return limited


login_view = login_rate_limited(
    auth_views.LoginView.as_view(authentication_form=EmailOrUsernameLoginForm)
)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) once a username has had too
    many wrong passwords from this address: a page that says so and for how long,
    with the status axes is set to (429)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many wrong passwords were entered for this account from your "
        "connection. Logging in is blocked for %(minutes)d minute; please wait and "
        "try again.",
        "Too many wrong passwords were entered for this account from your "
        "connection. Logging in is blocked for %(minutes)d minutes; please wait "
        "and try again.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "transparency/notice.html",
        {"title": _("Login temporarily blocked"), "message": message},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )

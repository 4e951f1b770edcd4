from django.contrib.auth import views as auth_views
from django.urls import path

from transparency.forms import EmailOrUsernameLoginForm
from transparency.views import accounts

app_name = "accounts"
urlpatterns = [
    path("daftar/", accounts.signup, name="signup"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(authentication_form=EmailOrUsernameLoginForm),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
]

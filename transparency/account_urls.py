from django.contrib.auth import views as auth_views
from django.urls import path

from transparency import views
from transparency.forms import EmailOrUsernameLoginForm

app_name = "accounts"
urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(authentication_form=EmailOrUsernameLoginForm),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
]

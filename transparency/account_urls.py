from django.contrib.auth import views as auth_views
from django.urls import path

from transparency.views import accounts, reports

app_name = "accounts"
urlpatterns = [
    path("daftar/", accounts.signup, name="signup"),
    path("laporan/", reports.my_reports, name="my-reports"),
    path("masuk/", accounts.login_view, name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
]

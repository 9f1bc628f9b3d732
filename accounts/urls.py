from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organizations/", views.organization_list, name="organization_list"),
    path(
        "organizations/<int:pk>/reset-password/",
        views.organization_password_reset,
        name="organization_password_reset",
    ),
]

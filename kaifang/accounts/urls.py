from django.contrib.auth import views as auth_views
from django.urls import path
from django_cas_ng import views as cas_views

from kaifang.accounts import cas_backend, views
from kaifang.accounts.views import directory, users

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/import/", users.import_users, name="user_import"),
    path("users/import/template.xlsx", users.import_template, name="user_import_template"),
    path("users/passwords/", users.issue_passwords, name="user_passwords"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/act", users.user_act, name="user_act"),
    path("cas/login/", cas_backend.CasLoginView.as_view(), name="cas_login"),
    path("cas/logout/", cas_views.LogoutView.as_view(), name="logout_cas"),
    path("directory/", directory.rules, name="directory_rules"),
    path("directory/<int:pk>/delete", directory.rule_delete, name="directory_rule_delete"),
]

from django.contrib.auth import views as auth_views
from django.urls import path
from django_cas_ng import views as cas_views

from kaifang.accounts import cas_backend, directory_views, user_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("users/", user_views.user_list, name="users"),
    path("users/new/", user_views.user_new, name="user_new"),
    path("users/import/", user_views.import_users, name="user_import"),
    path("users/import/template.xlsx", user_views.import_template, name="user_import_template"),
    path("users/passwords/", user_views.issue_passwords, name="user_passwords"),
    path("users/<int:pk>/", user_views.user_detail, name="user_detail"),
    path("users/<int:pk>/act", user_views.user_act, name="user_act"),
    path("cas/login/", cas_backend.CasLoginView.as_view(), name="cas_login"),
    path("cas/logout/", cas_views.LogoutView.as_view(), name="logout_cas"),
    path("directory/", directory_views.rules, name="directory_rules"),
    path("directory/<int:pk>/delete", directory_views.rule_delete, name="directory_rule_delete"),
]

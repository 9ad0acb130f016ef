from django.contrib.auth import views as auth_views
from django.urls import include, path

from asylon.front import views

app_name = "front"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="front/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/steps/<slug:step>/", views.step, name="step"),
    # Django's set_language, reversed as "front:set_language" because it is included here.
    path("i18n/", include("django.conf.urls.i18n")),
]

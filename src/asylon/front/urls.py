from django.contrib.auth import views as auth_views
from django.urls import include, path

from asylon.accounts import signin
from asylon.front import lists, need_to_know, registration, views

app_name = "front"

urlpatterns = [
    # Password, then a second factor: asylon.accounts.signin.
    path("login/", signin.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.queue_page, name="queues"),
    path("queues/<slug:key>/", views.queue_page, name="queue"),
    path("cases/", views.cases, name="cases"),
    path("register/", registration.register, name="register"),
    path("register/duplicates/", registration.duplicates, name="register_duplicates"),
    path("register/list/", lists.list_import_page, name="import_list"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/steps/<slug:step>/", views.step, name="step"),
    path("cases/<int:case_id>/assignments/", need_to_know.case_assign, name="case_assign"),
    path(
        "cases/<int:case_id>/assignments/<int:assignment_id>/end/",
        need_to_know.assignment_end,
        name="assignment_end",
    ),
    path("emergency-access/", need_to_know.emergency_access, name="emergency_access"),
    path("emergency-access/reviews/", need_to_know.emergency_reviews, name="emergency_reviews"),
    path("emergency-access/<int:access_id>/review/", need_to_know.emergency_review, name="emergency_review"),
    # Django's set_language, reversed as "front:set_language" because it is included here.
    path("i18n/", include("django.conf.urls.i18n")),
]

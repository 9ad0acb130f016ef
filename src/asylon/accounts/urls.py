from django.urls import path

from asylon.accounts import signin

app_name = "accounts"

urlpatterns = [
    path("second-factor/", signin.second_factor, name="second_factor"),
    path("security/", signin.security, name="security"),
    path("reauthenticate/", signin.reauthenticate, name="reauthenticate"),
    path("security/key-options/", signin.key_registration_options, name="key_registration_options"),
    path("second-factor/key-options/", signin.key_assertion_options, name="key_assertion_options"),
]

from django.urls import include, path

from asylon.api.routes import api

urlpatterns = [
    path("api/", api.urls),
    path("account/", include("asylon.accounts.urls")),
    path("identity/", include("asylon.identity.urls")),
    path("", include("asylon.front.urls")),
]

# Django's own pages would show the address; these show a sentence and a reference.
handler400 = "asylon.front.errors.bad_request"
handler403 = "asylon.front.errors.forbidden"
handler404 = "asylon.front.errors.not_found"
handler500 = "asylon.front.errors.server_error"

from django.urls import include, path

from asylon.api.routes import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("asylon.front.urls")),
]

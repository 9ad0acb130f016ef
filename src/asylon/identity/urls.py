from django.urls import path

from asylon.identity import views

app_name = "identity"

urlpatterns = [
    path("pairs/", views.pair_list, name="pairs"),
    path("pairs/<int:pair_id>/", views.pair_detail, name="pair"),
    path("pairs/<int:pair_id>/decision/", views.pair_decide, name="pair_decide"),
]

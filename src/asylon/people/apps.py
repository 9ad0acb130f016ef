from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "asylon.people"

from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "asylon.transparency"

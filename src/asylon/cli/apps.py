from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "asylon.cli"
    label = "asylon_cli"

from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "asylon.safeguards"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "asylon.cases"

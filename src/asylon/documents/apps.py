from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "asylon.documents"

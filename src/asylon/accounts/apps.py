from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "asylon.accounts"

    def ready(self) -> None:
        from asylon.accounts import checks  # noqa: F401  (registers the deployment checks)

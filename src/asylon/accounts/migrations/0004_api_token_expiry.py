# Every API token expires. Tokens made before expiry existed expire ApiToken.DAYS after this
# migration runs, so that no program stops at once and none keeps a token for ever.

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def expire_existing(apps, schema_editor):
    token = apps.get_model("accounts", "ApiToken")
    token.objects.update(expires_at=timezone.now() + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_second_factors_and_attempts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]

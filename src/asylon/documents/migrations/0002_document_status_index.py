import secrets

from django.db import migrations, models

# asylon.credentials.status.MIN_SIZE * 8: the demo's list size, which new indexes are drawn from.
SIZE = 1_048_576


def draw_indexes(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    taken = set(Document.objects.exclude(status_index=None).values_list("status_index", flat=True))
    for document in Document.objects.filter(status_index=None).only("pk"):
        index = secrets.randbelow(SIZE)
        while index in taken:
            index = secrets.randbelow(SIZE)
        taken.add(index)
        Document.objects.filter(pk=document.pk).update(status_index=index)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="document", name="status_index", field=models.PositiveIntegerField(null=True, unique=True)
        ),
        migrations.RunPython(draw_indexes, migrations.RunPython.noop),
    ]

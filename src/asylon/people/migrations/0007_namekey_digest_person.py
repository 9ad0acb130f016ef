# The index of digests becomes one of (digest, person): a duplicate lookup counts the keys each
# person shares from the index alone. Added before the old one is dropped, so that lookups
# always have one.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0006_queue_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='namekey',
            index=models.Index(fields=['digest', 'person'], name='namekey_digest_person'),
        ),
        migrations.AlterField(
            model_name='namekey',
            name='digest',
            field=models.CharField(max_length=32),
        ),
    ]

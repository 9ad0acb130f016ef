# The partial date of birth and the province were readable columns: they are sealed here,
# row by row, under the office's active key (the same associated data as the model's
# `sealed` attributes use), before the readable columns are dropped. The month and day
# check constraints cannot hold on ciphertext; the intake service checks them instead.

from django.db import migrations, models

from asylon.dataprotection import cipher, runtime


def _partial_date(year, month, day):
    if year is None:
        return ""
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    return text


def _seal(keyring, person, column, value):
    aad = cipher.associated_data(person._meta.db_table, column, str(person.uid))
    return cipher.encrypt(keyring, person.office, value, aad) if value else ""


def seal(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    readable = Person.objects.exclude(birth_year__isnull=True, province="").order_by("pk")
    for person in readable.iterator():
        keyring = runtime.keyring_for(person.office)
        Person.objects.filter(pk=person.pk).update(
            birth_date_sealed=_seal(
                keyring, person, "birth_date", _partial_date(person.birth_year, person.birth_month, person.birth_day)
            ),
            province_sealed=_seal(keyring, person, "province", person.province),
        )


def unseal(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    sealed = Person.objects.exclude(birth_date_sealed="", province_sealed="").order_by("pk")
    for person in sealed.iterator():
        keyring = runtime.keyring()

        def read(column, token):
            aad = cipher.associated_data(person._meta.db_table, column, str(person.uid))
            return cipher.decrypt(keyring, token, aad) if token else ""

        parts = [int(n) for n in read("birth_date", person.birth_date_sealed).split("-") if n]
        parts += [None] * (3 - len(parts))
        Person.objects.filter(pk=person.pk).update(
            birth_year=parts[0],
            birth_month=parts[1],
            birth_day=parts[2],
            province=read("province", person.province_sealed),
        )


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_sealed_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_date_sealed",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="person",
            name="province_sealed",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="person",
            name="contact_sealed",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.RemoveConstraint(
            model_name="person",
            name="birth_month_in_range",
        ),
        migrations.RemoveConstraint(
            model_name="person",
            name="birth_day_needs_month",
        ),
        migrations.RemoveField(
            model_name="person",
            name="birth_day",
        ),
        migrations.RemoveField(
            model_name="person",
            name="birth_month",
        ),
        migrations.RemoveField(
            model_name="person",
            name="birth_year",
        ),
        migrations.RemoveField(
            model_name="person",
            name="province",
        ),
    ]

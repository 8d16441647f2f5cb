from django.db import migrations


def seed_countries(apps, schema_editor):
    from archive.countries import country_rows

    Country = apps.get_model("archive", "Country")
    existing = set(Country.objects.values_list("code", flat=True))
    Country.objects.bulk_create(
        Country(code=code, name=name, historical=historical)
        for code, name, historical in country_rows()
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(seed_countries, migrations.RunPython.noop)]

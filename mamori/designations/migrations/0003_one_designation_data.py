# Issue 9: the existing designations in the one state enum (active → designated, or reported where
# the report was made at once, FUK-10), with their target and the designator's person.

from django.db import migrations


def forward(apps, schema_editor):
    Designation = apps.get_model("designations", "Designation")
    User = apps.get_model("accounts", "User")
    people = dict(User.objects.values_list("pk", "person_id"))
    for row in Designation.objects.all().iterator():
        # designation_add took the designator's capacity from the actor's person, so every row has one.
        row.recorded_by_id = row.designated_by_id
        row.designated_person_id = people.get(row.designated_by_id)
        if row.designated_person_id is None:
            raise RuntimeError(f"designation {row.pk}: the account that designated has no person")
        row.target = "system" if row.system_id else "person"
        if row.state == "active":
            row.state = "reported" if row.reported_at else "designated"
        row.save(update_fields=["recorded_by", "designated_person", "target", "state"])


def backward(apps, schema_editor):
    Designation = apps.get_model("designations", "Designation")
    Designation.objects.exclude(state="ended").update(state="active")


class Migration(migrations.Migration):

    dependencies = [
        ("designations", "0002_one_designation_schema"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]

# System, Privilege and MaintenanceContract moved from the access app to the systems app (issue 9
# item 2) with their tables unchanged: the foreign keys here now name systems.*, in Django's state
# only; the columns and constraints in the database are the same and no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('designations', '0005_on_register_layer'),
        ('systems', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='designation',
                    name='system',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='designations', to='systems.system', verbose_name='システム'),
                ),
            ],
            database_operations=[],
        ),
    ]

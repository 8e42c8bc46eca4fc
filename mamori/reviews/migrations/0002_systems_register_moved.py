# System, Privilege and MaintenanceContract moved from the access app to the systems app (issue 9
# item 2) with their tables unchanged: the foreign keys here now name systems.*, in Django's state
# only; the columns and constraints in the database are the same and no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0001_initial'),
        ('systems', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='campaign',
                    name='system',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='systems.system', verbose_name='対象システム'),
                ),
                migrations.AlterField(
                    model_name='campaignline',
                    name='privilege',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='systems.privilege'),
                ),
                migrations.AlterField(
                    model_name='campaignline',
                    name='system',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='systems.system'),
                ),
            ],
            database_operations=[],
        ),
    ]

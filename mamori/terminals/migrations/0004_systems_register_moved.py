# System, Privilege and MaintenanceContract moved from the access app to the systems app (issue 9
# item 2) with their tables unchanged: the foreign keys here now name systems.*, in Django's state
# only; the columns and constraints in the database are the same and no SQL runs.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('systems', '0001_initial'),
        ('terminals', '0003_delete_terminaloperator'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='terminal',
                    name='systems',
                    field=models.ManyToManyField(blank=True, related_name='+', to='systems.system', verbose_name='利用システム'),
                ),
            ],
            database_operations=[],
        ),
    ]

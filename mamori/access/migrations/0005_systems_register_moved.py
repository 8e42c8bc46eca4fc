# System, Privilege and MaintenanceContract moved from the access app to the systems app (issue 9
# item 2) with their tables unchanged: the foreign keys here now name systems.*, in Django's state
# only; the columns and constraints in the database are the same and no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0004_entitlement_basis_label'),
        ('systems', '0001_initial'),
        ('credentials', '0002_systems_register_moved'),
        ('designations', '0006_systems_register_moved'),
        ('reviews', '0002_systems_register_moved'),
        ('terminals', '0004_systems_register_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='entitlement',
                    name='contract',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entitlements', to='systems.maintenancecontract', verbose_name='保守契約'),
                ),
                migrations.RemoveField(
                    model_name='privilege',
                    name='system',
                ),
                migrations.AlterField(
                    model_name='entitlement',
                    name='privilege',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entitlements', to='systems.privilege'),
                ),
                migrations.RemoveField(
                    model_name='system',
                    name='owner_unit',
                ),
                migrations.AlterField(
                    model_name='entitlement',
                    name='system',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entitlements', to='systems.system'),
                ),
                migrations.AlterField(
                    model_name='biometricregistration',
                    name='system',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='biometric_registrations', to='systems.system'),
                ),
                migrations.DeleteModel(
                    name='MaintenanceContract',
                ),
                migrations.DeleteModel(
                    name='Privilege',
                ),
                migrations.DeleteModel(
                    name='System',
                ),
            ],
            database_operations=[],
        ),
    ]

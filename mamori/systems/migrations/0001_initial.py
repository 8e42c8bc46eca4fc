# The systems register moved here from mamori.access (issue 9 item 2).  The tables stay as they
# were (access_system, access_privilege, access_maintenancecontract and its _systems link table):
# these operations change Django's state only and run no SQL.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organisation', '0001_initial'),
        ('access', '0004_entitlement_basis_label'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='System',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='システムコード')),
                        ('name', models.CharField(max_length=120, verbose_name='システム名')),
                        ('category', models.CharField(blank=True, max_length=40, verbose_name='区分')),
                        ('handles_personal_information', models.BooleanField(default=False, verbose_name='個人情報')),
                        ('handles_specific_personal_information', models.BooleanField(default=False, verbose_name='特定個人情報')),
                        ('handles_identity_information', models.BooleanField(default=False, verbose_name='本人確認情報')),
                        ('administrator_role', models.CharField(blank=True, max_length=60, verbose_name='管理者の役割')),
                        ('flags', models.JSONField(blank=True, default=list, verbose_name='区分フラグ')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='備考')),
                        ('owner_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='systems', to='organisation.unit', verbose_name='所管課')),
                    ],
                    options={
                        'verbose_name': '情報システム',
                        'db_table': 'access_system',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='Privilege',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, verbose_name='権限コード')),
                        ('name', models.CharField(max_length=120, verbose_name='権限名')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='説明')),
                        ('system', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='privileges', to='systems.system')),
                    ],
                    options={
                        'verbose_name': '操作権限',
                        'db_table': 'access_privilege',
                        'ordering': ['system__code', 'code'],
                        'constraints': [models.UniqueConstraint(fields=('system', 'code'), name='privilege_code_per_system')],
                    },
                ),
                migrations.CreateModel(
                    name='MaintenanceContract',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=60, unique=True, verbose_name='契約番号')),
                        ('company', models.CharField(max_length=120, verbose_name='事業者')),
                        ('title', models.CharField(blank=True, max_length=200, verbose_name='件名')),
                        ('start', models.DateField(verbose_name='契約開始日')),
                        ('end', models.DateField(verbose_name='契約終了日')),
                        ('systems', models.ManyToManyField(blank=True, related_name='contracts', to='systems.system', verbose_name='対象システム')),
                    ],
                    options={
                        'verbose_name': '保守契約',
                        'db_table': 'access_maintenancecontract',
                        'ordering': ['-end', 'number'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='contract_dates_in_order')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

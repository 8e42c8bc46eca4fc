# Issue 9: the designator is required, and the database holds every row to its validity range, its
# states and its target.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("designations", "0003_one_designation_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="designation", name="designated_by"),
        migrations.RenameField("designation", "designated_person", "designated_by"),
        migrations.AlterField(
            model_name="designation",
            name="recorded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="登録者",
            ),
        ),
        migrations.AlterField(
            model_name="designation",
            name="designated_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.person",
                verbose_name="指定者",
            ),
        ),
        migrations.AddIndex(
            model_name="designation",
            index=models.Index(fields=["terminal", "state"], name="designation_termina_a7ad8f_idx"),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_to__isnull", True), ("valid_to__gte", models.F("valid_from")), _connector="OR"),
                name="designation_valid_range",
                violation_error_message="指定期限は指定日以後の日付にしてください。",
            ),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["designated", "reported", "ended"])),
                name="designation_state_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("system__isnull", True), ("target", "person"), ("terminal__isnull", True)),
                    models.Q(("system__isnull", False), ("target", "system"), ("terminal__isnull", True)),
                    models.Q(("system__isnull", True), ("target", "terminal"), ("terminal__isnull", False)),
                    _connector="OR",
                ),
                name="designation_target_set",
            ),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("state", "reported"), _negated=True), ("reported_at__isnull", False), _connector="OR"),
                name="designation_reported_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="designation",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("state", "ended"), _negated=True), ("ended_at__isnull", False), _connector="OR"),
                name="designation_ended_has_time",
            ),
        ),
    ]

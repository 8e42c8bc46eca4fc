# Issue 9: one concept of designation.  The terminal operators (terminals.TerminalOperator) become
# designations whose target is a terminal; the designator is a person (the role holder) and the
# log-in that entered it is recorded_by, as in the register layer.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("designations", "0001_initial"),
        ("organisation", "0001_initial"),
        ("terminals", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # New columns beside the old ones (a renamed column keeps its index name on PostgreSQL, which
        # the new designated_by would then collide with); 0003 fills them, 0004 drops the old one.
        migrations.RenameField("designation", "registered_at", "recorded_at"),
        migrations.AddField(
            model_name="designation",
            name="recorded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="登録者",
            ),
        ),
        migrations.AddField(
            model_name="designation",
            name="designated_person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.person",
                verbose_name="指定者",
            ),
        ),
        migrations.AddField(
            model_name="designation",
            name="terminal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="designations",
                to="terminals.terminal",
                verbose_name="端末機",
            ),
        ),
        migrations.AddField(
            model_name="designation",
            name="target",
            field=models.CharField(
                choices=[("person", "職員"), ("system", "システム"), ("terminal", "端末機")],
                default="person",
                max_length=16,
                verbose_name="指定の対象",
            ),
        ),
        migrations.AlterField(
            model_name="designation",
            name="state",
            field=models.CharField(
                choices=[("designated", "指定中"), ("reported", "指定中（報告済）"), ("ended", "指定解除")],
                db_index=True,
                default="designated",
                max_length=16,
                verbose_name="状態",
            ),
        ),
    ]

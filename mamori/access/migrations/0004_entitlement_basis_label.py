# The basis label names no city's form: the pack names the form a request is filed on (issue 9 item 6).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_revocationproposal_userregistration_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entitlement",
            name="basis",
            field=models.CharField(
                choices=[
                    ("request", "申請"),
                    ("direct", "管理者による指定"),
                    ("maintenance", "保守要員の登録"),
                ],
                default="request",
                max_length=16,
                verbose_name="登録の根拠",
            ),
        ),
    ]

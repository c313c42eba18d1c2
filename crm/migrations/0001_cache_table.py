"""The shared cache's table (Django's database cache, the default when REDIS_URL is unset).

The web workers and the django-q2 cluster share it: the cluster's heartbeat reaches /healthz,
and rate limits on public forms hold across workers.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

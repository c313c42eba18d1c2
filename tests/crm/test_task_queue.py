"""In tests, django-q2 tasks run in-process: their effect is there when the call returns."""

from django_q.models import OrmQ
from django_q.tasks import async_task, result


def test_background_tasks_run_inline_during_tests(db):
    task_id = async_task("math.floor", 2.5)

    assert result(task_id) == 2
    assert OrmQ.objects.count() == 0

"""The broker settings the job lifecycle relies on, read from the Celery app as it is built."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import AMQP_URL, REDIS_URL
from tests.stack import production_runtime
from workers.queue.runtime import Runtime

pytestmark = pytest.mark.timeout(60)

RuntimeOn = Callable[[str], Runtime]


@pytest.fixture
def runtime_on(integration_database_url: str, queue: str) -> Iterator[RuntimeOn]:
    """Builds the production runtime for a broker URL; building it connects to nothing."""
    built: list[Runtime] = []

    def build(broker_url: str) -> Runtime:
        built.append(production_runtime(integration_database_url, broker_url, queue))
        return built[-1]

    yield build
    for runtime in built:
        runtime.celery.close()
        runtime.engine.dispose()


def test_redis_redelivers_a_message_only_after_the_hard_time_limit(runtime_on: RuntimeOn) -> None:
    """Redis hands an unacknowledged message out again after visibility_timeout, even while
    its task still runs: below the time limit, a running job would get a second delivery."""
    conf = runtime_on(REDIS_URL).celery.conf
    assert conf.task_acks_late
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


@pytest.mark.parametrize("scheme", ["amqp", "amqps", "pyamqp"])
def test_rabbitmq_publishing_waits_for_publisher_confirms(runtime_on: RuntimeOn,
                                                          scheme: str) -> None:
    """Without confirms a publish succeeds into a socket buffer, and the message can be lost
    while the job row says it was published (the sweep would not look at it for a while)."""
    conf = runtime_on(AMQP_URL.replace("amqp://", f"{scheme}://", 1)).celery.conf
    assert conf.broker_transport_options["confirm_publish"] is True


def test_a_real_rabbitmq_channel_publishes_in_confirm_mode(runtime_on: RuntimeOn) -> None:
    with runtime_on(AMQP_URL).celery.connection_for_write() as conn:
        channel = conn.default_channel
        assert channel.basic_publish.__func__ is type(channel).basic_publish_confirm

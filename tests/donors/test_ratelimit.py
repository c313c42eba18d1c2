"""The public forms' rate limit counts the real client, and a forged address does not reset it."""

from django.test import RequestFactory

from donors.ratelimit import client_ip, rate_limited


def test_a_forged_forwarded_address_is_ignored_without_a_trusted_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "203.0.113.9"


def test_behind_the_proxy_the_address_it_appended_counts_not_the_clients_claim(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    results = [
        rate_limited(
            factory.post(
                "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.7"
            ),
            scope="test-forged",
            limit=3,
        )
        for n in range(5)
    ]

    assert results == [False, False, False, True, True]

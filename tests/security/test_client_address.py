"""Behind the proxy, limits key on the real client: nobody can lock out staff or the public."""

from __future__ import annotations

import pytest

from moderation import create_app
from tests.conftest import PASSWORD, sign_in

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches the app from the proxy


def _from(address: str) -> dict:
    return {"environ_base": PROXY, "headers": {"X-Forwarded-For": address}}


def _fail(client, email: str, address: str) -> int:
    return client.post("/login", data={"email": email, "password": "not-the-password"},
                       **_from(address)).status_code


def _sign_in_from(client, user, address: str, password: str = PASSWORD) -> int:
    return client.post("/login", data={"email": user.email, "password": password},
                       **_from(address)).status_code


@pytest.fixture
def proxied_app(app_config):
    app_config["TRUSTED_PROXY_HOPS"] = 1
    return create_app(app_config)


def test_one_attacker_behind_the_proxy_cannot_lock_out_the_supervisor(proxied_app, supervisor):
    attacker = proxied_app.test_client()
    statuses = [_fail(attacker, f"staff{n}@example.test", "198.51.100.7") for n in range(45)]
    assert 429 in statuses
    helen = proxied_app.test_client()
    assert _sign_in_from(helen, supervisor, "203.0.113.20") == 302


def test_guessing_one_account_from_one_address_blocks_that_address_for_that_account(
        proxied_app, midwife):
    attacker = proxied_app.test_client()
    statuses = [_fail(attacker, midwife.email, "198.51.100.7") for _ in range(6)]
    assert statuses[-1] == 429
    assert _sign_in_from(attacker, midwife, "198.51.100.7") == 429
    assert _sign_in_from(proxied_app.test_client(), midwife, "203.0.113.20") == 302


def test_an_account_attacked_from_many_addresses_is_slowed_but_its_owner_gets_in(
        app_config, midwife):
    app_config["TRUSTED_PROXY_HOPS"] = 1
    app_config["LOGIN_ACCOUNT_RATE_LIMIT"] = "10 per hour"
    app = create_app(app_config)
    sam = app.test_client()
    assert _sign_in_from(sam, midwife, "203.0.113.20") == 302  # her usual laptop
    sam.post("/logout", **_from("203.0.113.20"))
    botnet = app.test_client()
    for n in range(10):
        _fail(botnet, midwife.email, f"198.51.100.{n + 1}")
    # A new address without her device cookie is slowed: the account's limit is spent ...
    assert _sign_in_from(app.test_client(), midwife, "192.0.2.50") == 429
    # ... but her own device is not shut out, from wherever she is.
    assert _sign_in_from(sam, midwife, "192.0.2.51") == 302


def test_a_device_cookie_of_another_account_does_not_exempt(app_config, midwife, make_user):
    app_config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per hour"
    app_config["TRUSTED_PROXY_HOPS"] = 1
    app = create_app(app_config)
    other = make_user("midwife")
    client = app.test_client()
    assert _sign_in_from(client, other, "192.0.2.1") == 302
    client.post("/logout", **_from("192.0.2.1"))
    for n in range(3):
        _fail(app.test_client(), midwife.email, f"198.51.100.{n + 1}")
    assert _sign_in_from(client, midwife, "192.0.2.1") == 429


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(app_config, midwife):
    app = create_app(app_config)  # TRUSTED_PROXY_HOPS = 0: the header is not believed
    attacker = app.test_client()
    statuses = [_fail(attacker, midwife.email, f"198.51.100.{n}") for n in range(6)]
    assert statuses[-1] == 429


def test_public_comment_limit_is_per_real_address_not_global(app_config, make_page):
    make_page("after-a-miscarriage", "After a miscarriage")
    app_config["TRUSTED_PROXY_HOPS"] = 1
    app_config["PUBLIC_COMMENT_RATE_LIMIT"] = "3 per minute"
    app = create_app(app_config)
    flood = app.test_client()
    statuses = [flood.post("/pages/after-a-miscarriage",
                           data={"body": f"Spam number {n} about nothing"},
                           **_from("198.51.100.7")).status_code for n in range(5)]
    assert statuses[-1] == 429
    visitor = app.test_client().post(
        "/pages/after-a-miscarriage",
        # She has seen the red-flag advice and posts anyway.
        data={"body": "I am bleeding heavily and soaking a pad every hour", "confirmed": "1"},
        **_from("203.0.113.44"))
    assert visitor.status_code == 303


def test_a_copied_cookie_with_a_forged_forwarded_for_does_not_work_elsewhere(app, midwife):
    sam = app.test_client()
    sam.post("/login", data={"email": midwife.email, "password": PASSWORD},
             environ_base={"REMOTE_ADDR": "203.0.113.20"})
    assert sam.get("/", environ_base={"REMOTE_ADDR": "203.0.113.20"}).status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", sam.get_cookie("session").value)
    stolen = thief.get("/", environ_base={"REMOTE_ADDR": "198.51.100.7"},
                       headers={"X-Forwarded-For": "203.0.113.20"})
    assert stolen.status_code == 302


def test_hsts_is_sent_over_https_when_configured(app_config):
    app_config.update(TRUSTED_PROXY_HOPS=1, HSTS_SECONDS=31536000)
    client = create_app(app_config).test_client()
    secure = client.get("/login", environ_base=PROXY,
                        headers={"X-Forwarded-For": "203.0.113.1", "X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_unless_configured(app):
    response = app.test_client().get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_a_line_break_in_next_is_ignored_not_a_500(client, midwife):
    response = client.post("/login?next=/%0d%0aSet-Cookie:x=1",
                           data={"email": midwife.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_limits_are_kept_in_redis_across_workers(app_config, midwife, redis_url):
    app_config.update(RATELIMIT_STORAGE_URI=redis_url, TRUSTED_PROXY_HOPS=1)
    worker_one, worker_two = create_app(app_config), create_app(app_config)
    for _ in range(3):
        _fail(worker_one.test_client(), midwife.email, "198.51.100.7")
    for _ in range(2):
        _fail(worker_two.test_client(), midwife.email, "198.51.100.7")
    # The sixth try counts the five failures made through both "workers".
    assert _sign_in_from(worker_one.test_client(), midwife, "198.51.100.7") == 429
    assert _sign_in_from(worker_two.test_client(), midwife, "203.0.113.20") == 302
    import redis

    with redis.Redis.from_url(redis_url) as connection:
        assert any(b"login-pair" in key for key in connection.keys("*"))


def test_redis_url_setting_selects_redis_storage(monkeypatch):
    from moderation.config import load_config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    assert load_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"


def test_sign_in_helper_still_works(client, midwife):
    assert sign_in(client, midwife).status_code == 302

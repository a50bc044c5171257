import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_redirects_anonymous_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_and_api_schema_are_not_open_to_anonymous(client):
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code in (401, 403)


def test_login_page_speaks_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body
    assert "Tên đăng nhập" in body
    assert "Mật khẩu" in body


def test_wrong_password_gets_a_clear_vietnamese_message(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk", "password": "nope"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_clerk_logs_in_and_sees_their_unit(client, clerk, unit):
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("inbox")  # the unit's work first
    body = client.get(reverse("home")).content.decode()
    assert "Xin chào, Nguyễn Văn Thư" in body
    assert unit.name in body
    assert "Văn thư đơn vị" in body


def test_logout_is_a_post_and_ends_the_session(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_applies_validators_in_vietnamese(client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mật khẩu này quá ngắn" in body
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_password_change_succeeds(client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Thuan-Bac-2024!", "new_password2": "Thuan-Bac-2024!"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Thuan-Bac-2024!")


def test_navigation_shows_administration_only_to_admins(client, clerk, admin_user):
    client.force_login(clerk)
    assert "/admin/" not in client.get("/").content.decode()
    client.force_login(admin_user)
    assert "/admin/" in client.get("/").content.decode()


def test_english_is_available(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Hello, Nguyễn Văn Thư" in body


def test_unknown_page_is_a_vietnamese_404(client, clerk, settings):
    settings.DEBUG = False
    client.force_login(clerk)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()

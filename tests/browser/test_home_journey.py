import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_clerk_logs_in_to_the_units_inbox_and_finds_the_vietnamese_home_page(phone_page, clerk, unit):
    page = phone_page
    page.goto("/")
    assert "/login/" in page.url
    log_in(page, "clerk")
    # A unit's clerk lands on what awaits the unit; the home page is one tap away.
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến của đơn vị")
    page.get_by_role("navigation").get_by_role("link", name="Trang chủ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Văn Thư")
    expect(page.get_by_text(unit.name)).to_be_visible()
    expect(page.get_by_text("Văn thư đơn vị")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "vi"
    # Nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Đăng xuất").click()
    assert "/login/" in page.url


def test_wrong_password_is_explained_in_vietnamese(page, clerk):
    log_in(page, "clerk", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")

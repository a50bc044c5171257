"""Uploads on a slow link (static/js/uploads.js): a phone photo is scaled down in the
browser before it is sent, and the upload shows its progress. Without JavaScript the form
posts the original (the page tests cover that path)."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from acknowledgements import services
from acknowledgements.models import Evidence
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_photo(tmp_path):
    """A 4000×3000 JPEG of noise: a few MB, as a phone takes them."""
    path = tmp_path / "anh-hien-truong.jpg"
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(path, "JPEG", quality=92)
    return path


def test_a_phone_photo_is_scaled_down_before_upload_with_its_progress_shown(phone_page, clerk, delivery, phone_photo):
    page = phone_page
    services.acknowledge(delivery=delivery, by=clerk)
    log_in(page, "clerk")
    page.goto(f"/deliveries/{delivery.pk}/report/")
    for item in delivery.circular.action_items.all():
        page.locator(f'input[name="item-{item.pk}-status"][value="done"]').check()
    page.locator('textarea[name="summary"]').fill("Đã dán thông báo tại nhà văn hóa các thôn, ảnh kèm theo.")
    page.locator('input[name="files"]').set_input_files(str(phone_photo))

    held = []
    page.route(f"**/deliveries/{delivery.pk}/report/", lambda route: held.append(route))
    page.locator("#report-submit").click()
    # While the post is on its way: a progress bar, and the button cannot be pressed twice.
    expect(page.locator(".upload-progress progress")).to_be_visible()
    expect(page.locator("#report-submit")).to_be_disabled()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the report was not posted"
    held[0].continue_()
    page.unroute(f"**/deliveries/{delivery.pk}/report/")

    expect(page).to_have_url(f"/deliveries/{delivery.pk}/")
    expect(page.locator("#report-v1")).to_be_visible()
    evidence = Evidence.objects.get(report__delivery=delivery)
    original = phone_photo.stat().st_size
    assert evidence.size < original / 3, (evidence.size, original)
    with Image.open(evidence.file.path) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1600
    assert evidence.original_name == "anh-hien-truong.jpg"

"""The notation Decree 30 (Appendix III) gives each document type, the drafter's override
and the input refused with a 400 on the page and in the API: notation, type, secrecy."""

import pytest
from django.urls import reverse

from circulars import services
from circulars.models import Circular, DocumentType
from circulars.notation import build_notation
from core.errors import Invalid
from tests.circulars.test_circular_pages import circular_form
from tests.circulars.test_circulars_api import circular_payload
from tests.factories import draft_circular
from units.models import Unit


@pytest.fixture
def office(district):
    district.abbreviation = "UBND"
    district.save()
    return Unit.objects.create(
        code="van-phong", name="Văn phòng HĐND và UBND huyện", abbreviation="TH", kind=Unit.Kind.OFFICE, parent=district
    )


EXPECTED = {
    "cong_van": "UBND-TH",
    "nghi_quyet": "NQ-UBND",
    "quyet_dinh": "QĐ-UBND",
    "chi_thi": "CT-UBND",
    "quy_che": "QC-UBND",
    "quy_dinh": "QyĐ-UBND",
    "thong_cao": "TC-UBND",
    "thong_bao": "TB-UBND",
    "huong_dan": "HD-UBND",
    "chuong_trinh": "CTr-UBND",
    "ke_hoach": "KH-UBND",
    "phuong_an": "PA-UBND",
    "de_an": "ĐA-UBND",
    "du_an": "DA-UBND",
    "bao_cao": "BC-UBND",
    "bien_ban": "BB-UBND",
    "to_trinh": "TTr-UBND",
    "hop_dong": "HĐ-UBND",
    "cong_dien": "CĐ-UBND",
    "ban_ghi_nho": "BGN-UBND",
    "ban_thoa_thuan": "BTT-UBND",
    "giay_uy_quyen": "GUQ-UBND",
    "giay_moi": "GM-UBND",
    "giay_gioi_thieu": "GGT-UBND",
    "giay_nghi_phep": "GNP-UBND",
    "phieu_gui": "PG-UBND",
    "phieu_chuyen": "PC-UBND",
    "phieu_bao": "PB-UBND",
    # No abbreviation in Appendix III: issuer and drafting unit, as a công văn.
    "thu_cong": "UBND-TH",
    "khac": "UBND-TH",
}


def test_every_type_of_appendix_three_is_offered_with_the_old_codes_kept():
    assert set(EXPECTED) == set(DocumentType.values)
    assert len(DocumentType.values) == 30  # the 29 of Appendix III and "other"
    for code in ["cong_van", "quyet_dinh", "ke_hoach", "thong_bao", "bao_cao", "chi_thi", "huong_dan", "giay_moi"]:
        assert code in DocumentType.values
    assert DocumentType("quyet_dinh").paper_name == "QUYẾT ĐỊNH"
    assert DocumentType("cong_van").paper_name == ""


@pytest.mark.parametrize(("document_type", "notation"), EXPECTED.items())
def test_the_notation_is_built_from_appendix_three(drafter, signer, office, document_type, notation):
    circular = draft_circular(
        drafter, signer=signer, document_type=document_type, drafting_unit=office, notation_override=""
    )
    assert circular.notation == notation
    assert build_notation(document_type, office.parent, office) == notation


def test_the_notation_follows_a_change_of_type(drafter, signer, office):
    circular = draft_circular(drafter, signer=signer, drafting_unit=office, notation_override="")
    assert circular.notation == "UBND-TH"
    services.update_draft(circular=circular, by=drafter, data={"document_type": "ke_hoach"})
    assert Circular.objects.get(pk=circular.pk).notation == "KH-UBND"


def test_the_drafter_overrides_the_notation(drafter, signer, office):
    circular = draft_circular(drafter, signer=signer, document_type="quyet_dinh", notation_override="QĐ-CT")
    assert circular.notation == "QĐ-CT"
    services.update_draft(circular=circular, by=drafter, data={"notation_override": ""})
    assert Circular.objects.get(pk=circular.pk).notation == "QĐ-UBND"


def test_a_drafter_of_one_unit_drafts_for_it_by_default(drafter, signer, office):
    office.memberships.create(user=drafter)
    circular = draft_circular(drafter, signer=signer, notation_override="")
    assert circular.drafting_unit == office
    assert circular.notation == "UBND-TH"


@pytest.mark.parametrize("bad", ["UBND TH", "QĐ/UBND", "<b>UBND</b>", "UBND-", "-TH", "A" * 31])
def test_a_notation_that_is_not_one_is_refused_by_the_service(drafter, signer, office, bad):
    with pytest.raises(Invalid, match="ký hiệu"):
        draft_circular(drafter, signer=signer, notation_override=bad)
    assert not Circular.objects.exists()


def test_a_bad_notation_is_a_400_on_the_page_in_vietnamese(client, drafter, signer, communes_group, office):
    client.force_login(drafter)
    response = client.post(reverse("circular-new"), circular_form(signer, communes_group, notation="UBND TH"))
    assert response.status_code == 400
    assert "ký hiệu" in response.context["form"].errors["notation"][0]
    assert not Circular.objects.exists()


def test_a_bad_notation_is_a_400_in_the_api_in_vietnamese(api_as, drafter, signer, communes_group, office, unit):
    payload = {**circular_payload(signer, communes_group, unit, office), "notation": "QĐ/UBND"}
    response = api_as(drafter).post("/api/v1/circulars/", payload, format="json")
    assert response.status_code == 400
    assert "ký hiệu" in response.json()["detail"]
    assert not Circular.objects.exists()


def test_the_api_builds_the_notation_and_takes_an_override(api_as, drafter, signer, communes_group, office, unit):
    payload = {**circular_payload(signer, communes_group, unit, office), "document_type": "ke_hoach"}
    built = api_as(drafter).post("/api/v1/circulars/", payload, format="json").json()
    assert (built["notation"], built["notation_override"]) == ("KH-UBND", "")
    typed = api_as(drafter).post("/api/v1/circulars/", {**payload, "notation": "KH-BCĐ"}, format="json").json()
    assert (typed["notation"], typed["notation_override"]) == ("KH-BCĐ", "KH-BCĐ")


@pytest.mark.parametrize(("field", "allowed"), [("document_type", "quyet_dinh"), ("secrecy", "top_secret")])
def test_an_unknown_type_or_secrecy_is_a_400_listing_what_is_allowed_in_the_api(
    api_as, drafter, signer, communes_group, office, unit, field, allowed
):
    payload = {**circular_payload(signer, communes_group, unit, office), field: "bi_mat"}
    response = api_as(drafter).post("/api/v1/circulars/", payload, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    message = response.json()["errors"][field][0]
    assert "bi_mat" in message and allowed in message
    assert "được phép" in message


@pytest.mark.parametrize(("field", "allowed"), [("document_type", "Quyết định"), ("secrecy", "Tuyệt mật")])
def test_an_unknown_type_or_secrecy_is_a_400_listing_what_is_allowed_on_the_page(
    client, drafter, signer, communes_group, office, field, allowed
):
    client.force_login(drafter)
    response = client.post(reverse("circular-new"), circular_form(signer, communes_group, **{field: "bi_mat"}))
    assert response.status_code == 400
    message = response.context["form"].errors[field][0]
    assert "bi_mat" in message and allowed in message


def test_the_service_refuses_an_unknown_type_listing_the_types(drafter, signer, office):
    with pytest.raises(Invalid, match="quyet_dinh") as refused:
        draft_circular(drafter, signer=signer, document_type="luat")
    assert "cong_van" in str(refused.value.message)


def test_the_incoming_register_takes_legal_normative_types(api_as, records_clerk):
    response = api_as(records_clerk).post(
        "/api/v1/incoming/",
        {
            "issuer": "Chính phủ",
            "reference": "30/2020/NĐ-CP",
            "document_date": "2020-03-05",
            "document_type": "nghi_dinh",
            "subject": "Về công tác văn thư",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["document_type"] == "nghi_dinh"


def test_a_circular_cannot_be_a_law(api_as, drafter, signer, communes_group, office, unit):
    payload = {**circular_payload(signer, communes_group, unit, office), "document_type": "luat"}
    assert api_as(drafter).post("/api/v1/circulars/", payload, format="json").status_code == 400


def test_units_show_their_abbreviation_read_only(api_as, drafter, office):
    units = api_as(drafter).get("/api/v1/units/").json()["results"]
    assert {u["code"]: u["abbreviation"] for u in units}["van-phong"] == "TH"

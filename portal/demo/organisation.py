"""The sample district of the seed circular: UBND huyện Thuận Bắc, its departments and
communes, its groups, and the demo accounts. Everything is keyed by code, so running it
again updates rows instead of adding new ones."""

from django.contrib.auth.models import Group
from django.db import transaction

from units.models import Membership, Unit, UnitGroup, User
from units.roles import PortalRole

DEMO_PASSWORD = "demo12345"
EMAIL_DOMAIN = "thuanbac.example.vn"

DISTRICT = ("ubnd-thuan-bac", "Ủy ban nhân dân huyện Thuận Bắc", "UBND huyện Thuận Bắc", "UBND")

# (code, name, short name, abbreviation), in the order the district lists them. The office
# drafts for the committee through its general section (tổng hợp): "TH", as the seed's
# "Số: 123/UBND-TH" has it.
DEPARTMENTS = [
    ("van-phong", "Văn phòng HĐND và UBND huyện", "VP HĐND-UBND", "TH"),
    ("phong-noi-vu", "Phòng Nội vụ", "Phòng NV", "NV"),
    ("phong-tckh", "Phòng Tài chính - Kế hoạch", "Phòng TC-KH", "TCKH"),
    ("phong-tu-phap", "Phòng Tư pháp", "Phòng TP", "TP"),
    ("phong-vhtt", "Phòng Văn hóa và Thông tin", "Phòng VH-TT", "VHTT"),
    ("phong-gddt", "Phòng Giáo dục và Đào tạo", "Phòng GD-ĐT", "GDĐT"),
    ("phong-y-te", "Phòng Y tế", "Phòng YT", "YT"),
    ("phong-tnmt", "Phòng Tài nguyên và Môi trường", "Phòng TN-MT", "TNMT"),
    ("phong-nnptnt", "Phòng Nông nghiệp và PTNT", "Phòng NN-PTNT", "NNPTNT"),
    ("phong-kt-ht", "Phòng Kinh tế - Hạ tầng", "Phòng KT-HT", "KTHT"),
    ("phong-ldtbxh", "Phòng Lao động - TB&XH", "Phòng LĐ-TB&XH", "LĐTBXH"),
    ("thanh-tra", "Thanh tra huyện", "Thanh tra", "TTr"),
    ("phong-dan-toc", "Phòng Dân tộc", "Phòng DT", "DT"),
]

# A commune's People's Committee issues as "UBND" too (its own "01/QĐ-UBND").
COMMUNES = [
    ("xa-bac-phong", "Ủy ban nhân dân xã Bắc Phong", "UBND xã Bắc Phong", "UBND"),
    ("xa-bac-son", "Ủy ban nhân dân xã Bắc Sơn", "UBND xã Bắc Sơn", "UBND"),
    ("xa-cong-hai", "Ủy ban nhân dân xã Công Hải", "UBND xã Công Hải", "UBND"),
    ("xa-loi-hai", "Ủy ban nhân dân xã Lợi Hải", "UBND xã Lợi Hải", "UBND"),
    ("xa-phuoc-chien", "Ủy ban nhân dân xã Phước Chiến", "UBND xã Phước Chiến", "UBND"),
    ("xa-phuoc-khang", "Ủy ban nhân dân xã Phước Kháng", "UBND xã Phước Kháng", "UBND"),
]

GROUPS = [
    ("co-quan-huyen", "Các cơ quan, đơn vị thuộc UBND huyện", [code for code, *_ in DEPARTMENTS]),
    ("ubnd-cac-xa", "Ủy ban nhân dân các xã", [code for code, *_ in COMMUNES]),
]

# (username, full name, title, portal role, unit code or None)
STAFF = [
    ("vanthu", "Trần Thị Thu", "Văn thư UBND huyện", PortalRole.RECORDS_CLERK, None),
    ("chuyenvien", "Lê Văn Minh", "Chuyên viên Văn phòng HĐND và UBND huyện", PortalRole.DRAFTER, None),
    ("lanhdao", "Nguyễn Hùng", "Phó Chủ tịch UBND huyện", PortalRole.SIGNER, None),
    ("vhtt", "Phạm Thị Hoa", "Chuyên viên Phòng Văn hóa và Thông tin", PortalRole.MONITOR, "phong-vhtt"),
    ("admin", "Quản trị hệ thống", "Quản trị viên", PortalRole.ADMIN, None),
]


def _unit(code, name, short_name, abbreviation, kind, parent, order):
    unit, _created = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short_name,
            "abbreviation": abbreviation,
            "kind": kind,
            "parent": parent,
            "email": f"{code}@{EMAIL_DOMAIN}",
            "place_name": "Thuận Bắc",
            "active": True,
            "sort_order": order,
        },
    )
    return unit


def _user(username, full_name, title="", email=None):
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "title": title,
            "email": email or f"{username}@{EMAIL_DOMAIN}",
            "is_active": True,
        },
    )
    # A demo: the README promises this password, so every run restores it.
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_organisation() -> dict:
    district = _unit(*DISTRICT, Unit.Kind.PEOPLES_COMMITTEE, None, 0)
    units = {district.code: district}
    for order, (code, name, short, abbreviation) in enumerate(DEPARTMENTS, start=1):
        units[code] = _unit(code, name, short, abbreviation, Unit.Kind.DEPARTMENT, district, order)
    for order, (code, name, short, abbreviation) in enumerate(COMMUNES, start=100):
        units[code] = _unit(code, name, short, abbreviation, Unit.Kind.COMMUNE, district, order)

    for order, (code, name, members) in enumerate(GROUPS):
        group, _created = UnitGroup.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
        group.units.set([units[m] for m in members])

    for username, full_name, title, role, unit_code in STAFF:
        user = _user(username, full_name, title)
        user.groups.set([Group.objects.get(name=role.value)])
        if role == PortalRole.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        if unit_code:
            Membership.objects.update_or_create(
                user=user, unit=units[unit_code], defaults={"role": Membership.Role.CLERK}
            )

    for unit in units.values():
        clerk = _user(unit.code, f"Văn thư {unit.short_name or unit.name}", "Văn thư", unit.email)
        head = _user(f"{unit.code}-truong", f"Thủ trưởng {unit.short_name or unit.name}", "Thủ trưởng đơn vị")
        Membership.objects.update_or_create(user=clerk, unit=unit, defaults={"role": Membership.Role.CLERK})
        Membership.objects.update_or_create(user=head, unit=unit, defaults={"role": Membership.Role.HEAD})

    return {"units": len(units), "groups": len(GROUPS)}

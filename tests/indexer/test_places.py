"""Places: the current units from the gazetteer, and old addresses converted.

The table below was checked by hand against Resolution 1686/NQ-UBTVQH15 (2025) on the
communes and wards of Thanh Hóa, and Resolution 1247/NQ-UBTVQH15 (2024), which merged
Xã Quảng Hùng and Xã Quảng Đại of Sầm Sơn into Xã Đại Hùng: every commune-level unit
of the former Thành phố Sầm Sơn, written with and without diacritics, with and without
"Phường"/"Xã" and "Thành phố". Codes are the National Statistics Office's.
"""
import pytest

from indexer import places

SAM_SON, NAM_SAM_SON = "16531", "16516"  # Phường Sầm Sơn, Phường Nam Sầm Sơn
LEGACY = [
    # (province, ward, district) of before 2025-07-01 → current ward code
    ("Thanh Hóa", "Phường Trung Sơn", "Thành phố Sầm Sơn", SAM_SON),
    ("Tỉnh Thanh Hóa", "Trung Sơn", "Sầm Sơn", SAM_SON),
    ("Thanh Hóa", "Phường Trường Sơn", "Thành phố Sầm Sơn", SAM_SON),
    ("Thanh Hoa", "Truong Son", "Sam Son", SAM_SON),
    ("Thanh Hóa", "Phường Bắc Sơn", "Thành phố Sầm Sơn", SAM_SON),
    ("thanh hoa", "phuong bac son", "thanh pho sam son", SAM_SON),
    ("Thanh Hóa", "Phường Quảng Tiến", "Thành phố Sầm Sơn", SAM_SON),
    ("Thanh Hoa", "Quang Tien", "TP Sam Son", SAM_SON),
    ("Thanh Hóa", "Phường Quảng Cư", "Sầm Sơn", SAM_SON),
    ("Thanh Hoá", "Quảng Cư", "Thành phố Sầm Sơn", SAM_SON),  # the other tone placement
    ("Thanh Hóa", "Phường Quảng Châu", "Thành phố Sầm Sơn", SAM_SON),
    ("Thanh Hoa", "quang chau", "sam son", SAM_SON),
    ("Thanh Hóa", "Phường Quảng Thọ", "Thành phố Sầm Sơn", SAM_SON),
    ("THANH HOA", "QUANG THO", "SAM SON", SAM_SON),
    ("Thanh Hóa", "Phường Quảng Vinh", "Thành phố Sầm Sơn", NAM_SAM_SON),
    ("Thanh Hoa", "Quang Vinh", "Sam Son", NAM_SAM_SON),
    ("Thanh Hóa", "Xã Quảng Hùng", "Thành phố Sầm Sơn", NAM_SAM_SON),
    ("Thanh Hoa", "Quang Hung", "Sam Son", NAM_SAM_SON),
    ("Thanh Hóa", "Xã Quảng Đại", "Thành phố Sầm Sơn", NAM_SAM_SON),
    ("Thanh Hoa", "X. Quang Dai", "TP. Sam Son", NAM_SAM_SON),
    ("Thanh Hóa", "Xã Đại Hùng", "Thành phố Sầm Sơn", NAM_SAM_SON),
    ("Thanh Hóa", "Xã Quảng Minh", "Thành phố Sầm Sơn", NAM_SAM_SON),
    ("Thanh Hoa", "Quang Minh", "Sam Son", NAM_SAM_SON),
    ("Thanh Hóa", "Xã Quảng Giao", "Huyện Quảng Xương", NAM_SAM_SON),
    ("Thanh Hóa", "Phường Điện Biên", "Thành phố Thanh Hóa", "14797"),  # Phường Hạc Thành
    ("Thanh Hóa", "Phường Lam Sơn", "TP Thanh Hóa", "14797"),
    ("Thanh Hóa", "Phường Hàm Rồng", "Thành phố Thanh Hóa", "14758"),  # Phường Hàm Rồng
    ("Nghệ An", "Phường Thu Thủy", "Thị xã Cửa Lò", "16732"),  # Phường Cửa Lò
    ("Thanh Hóa", "Phường Trung Sơn", None, SAM_SON),  # no district: one such old ward
]


@pytest.mark.parametrize("province,ward,district,code", LEGACY)
def test_legacy_addresses_become_current_wards(province, ward, district, code):
    placed = places.resolve(province=province, ward=ward, district=district)
    assert placed.ward.code == code
    assert placed.note and "2025-07-01" in placed.note and placed.ward.name in placed.note
    assert placed.legacy == ", ".join(p for p in (ward, district, province) if p)
    assert (placed.lat, placed.lon) == (placed.ward.lat, placed.ward.lon)


def test_the_issue_example_lands_in_phuong_sam_son_with_its_centre():
    placed = places.resolve("Tỉnh Thanh Hóa", "Phường Trung Sơn", "Thành phố Sầm Sơn")
    assert (placed.ward.name, placed.province.name) == ("Phường Sầm Sơn", "Thanh Hóa")
    assert (placed.lat, placed.lon) == (19.7551, 105.889)


def test_every_old_sam_son_unit_is_in_the_table():
    old = {w for p, w, d, c in LEGACY if d and places.fold(d).endswith("samson")}
    bare = {places.fold(w).removeprefix("phuong").removeprefix("xa") for w in old}
    assert {"trungson", "truongson", "bacson", "quangtien", "quangcu", "quangchau",
            "quangtho", "quangvinh", "quanghung", "quangdai", "daihung", "quangminh"} <= bare


@pytest.mark.parametrize("province,ward,code", [
    ("Thanh Hóa", "Phường Sầm Sơn", SAM_SON), ("thanh hoa", "sam son", SAM_SON),
    ("Thanh Hoá", "P. Nam Sầm Sơn", NAM_SAM_SON), ("Thanh Hóa", "Hạc Thành", "14797"),
    ("Hà Nội", "Phường Hoàn Kiếm", "00070")])
def test_current_names_are_taken_without_a_warning(province, ward, code):
    placed = places.resolve(province=province, ward=ward)
    assert placed.ward.code == code and placed.note is None and placed.legacy is None


def test_codes_win_and_must_agree_with_names():
    assert places.resolve(ward_code="16531").ward.name == "Phường Sầm Sơn"
    assert places.resolve(province_code="38", ward_code=16531).province.name == "Thanh Hóa"
    with pytest.raises(places.PlaceError) as err:
        places.resolve(province="Nghệ An", ward_code="16531")
    assert err.value.field == "province"
    with pytest.raises(places.PlaceError) as err:
        places.resolve(ward="Phường Hạc Thành", ward_code="16531")
    assert err.value.field == "ward"
    with pytest.raises(places.PlaceError) as err:
        places.resolve(ward_code="99999")
    assert err.value.field == "ward_code"


@pytest.mark.parametrize("province,ward,district,field,says", [
    ("Thanh Hóa", "Phường Không Có", "Thành phố Sầm Sơn", "ward", "Not a commune or ward"),
    ("Thanh Hóa", "Phường Không Có", None, "ward", "neither a current one nor a former"),
    ("Thanh Hóa", "Phường Trường Sơn", "Huyện Không Có", "district", "Not a district"),
    ("Sao Hỏa", None, None, "province", "Not a province"),
    # Two old wards of Thanh Hóa had this name (in Sầm Sơn and in Bỉm Sơn).
    ("Thanh Hóa", "Phường Bắc Sơn", None, "ward", "Give the district"),
    (None, "Phường Sầm Sơn", None, "province", "Give the province"),
])
def test_what_cannot_be_placed_names_the_field(province, ward, district, field, says):
    with pytest.raises(places.PlaceError) as err:
        places.resolve(province=province, ward=ward, district=district)
    assert err.value.field == field and says in err.value.message


def test_a_district_alone_is_placed_in_the_province_at_its_former_centre():
    placed = places.resolve("Thanh Hóa", district="Thành phố Sầm Sơn")
    assert placed.ward is None and placed.province.code == "38"
    assert placed.lat == pytest.approx(19.76, abs=0.02) and "Districts" in placed.note


def test_an_old_province_alone_is_its_new_province():
    placed = places.resolve("Quảng Nam")
    assert placed.province.name == "Đà Nẵng" and "Quảng Nam" in placed.note


def test_a_split_ward_names_the_other_successors():
    placed = places.resolve("Thanh Hóa", "Thị trấn Hà Trung", "Huyện Hà Trung")
    assert placed.ward.name == "Xã Hà Trung" and "Xã Hoạt Giang" in placed.note


def test_the_whole_country_is_there():
    assert len(places.provinces()) == 34
    every = places.wards()
    assert len(every) == 3321 == len({w.code for w in every})
    assert len(places.wards("38")) == 166  # Thanh Hóa: 19 wards, 147 communes
    assert sum(w.kind == "Phường" for w in places.wards("38")) == 19
    assert all(w.lat and w.lon for w in every)


def test_every_current_ward_is_found_by_its_name_with_or_without_its_type():
    for w in places.wards():
        assert places.resolve(w.province.name, w.name).ward == w
        assert places.resolve(w.province.name, w.name[len(w.kind):]).ward == w


def test_search_is_diacritic_insensitive():
    assert [w.name for w in places.search("sam son", "38")] == ["Phường Sầm Sơn",
                                                                 "Phường Nam Sầm Sơn"]
    assert places.search("hac thanh", "38")[0].code == "14797"
    assert places.search("", "38") == []


@pytest.mark.parametrize("text,code,converted", [
    ("16531", SAM_SON, False), ("Thanh Hóa / Phường Sầm Sơn", SAM_SON, False),
    ("Phường Nam Sầm Sơn, Thanh Hóa", NAM_SAM_SON, False),
    ("thanh hoa / sam son", SAM_SON, False),
    ("Thanh Hóa / Thành phố Sầm Sơn / Phường Trường Sơn", SAM_SON, True)])
def test_officer_units(text, code, converted):
    ward, note = places.parse_unit(text)
    assert ward.code == code and bool(note) == converted


def test_a_unit_must_be_a_ward():
    for text in ("Thanh Hóa", "Thanh Hóa / Thành phố Sầm Sơn", "00000", "Thanh Hóa / X"):
        with pytest.raises(places.PlaceError):
            places.parse_unit(text)

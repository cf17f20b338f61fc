"""The skills taxonomy: size, shape, and resolution of free text."""
import json

from indexer.settings import config_path
from indexer.taxonomy import default_taxonomy
from indexer.text import exact_tokens

SECTORS_NEEDED = ["construction", "welding", "electrical", "mechanics", "driving", "seafood",
                  "fishing", "agriculture", "hospitality", "cooking", "cleaning", "garment",
                  "warehouse", "retail", "security", "digital", "soft"]


def test_taxonomy_is_large_and_well_formed():
    taxonomy = default_taxonomy()
    assert len(taxonomy) >= 150
    for skill in taxonomy.skills.values():
        assert skill["id"].isascii() and skill["label_vi"] and skill["label_en"]
        assert skill.get("isco") is None or (len(skill["isco"]) == 4 and skill["isco"].isdigit())


def test_no_alias_names_two_skills_as_written():
    data = json.loads(config_path("skills.json").read_text(encoding="utf-8"))
    owner = {}
    for skill in data["skills"]:
        for name in [skill["label_vi"], skill["label_en"], *skill.get("aliases", [])]:
            k = " ".join(exact_tokens(name))
            assert owner.setdefault(k, skill["id"]) == skill["id"], (name, owner[k], skill["id"])


def test_every_sector_is_covered():
    sectors = {s["sector"] for s in default_taxonomy().skills.values()}
    text = " ".join(sorted(sectors))
    missing = [s for s in SECTORS_NEEDED if s not in text]
    assert not missing, f"sectors without skills: {missing} (have {sorted(sectors)})"


def test_resolution_is_diacritic_and_case_insensitive():
    taxonomy = default_taxonomy()
    assert taxonomy.resolve("hàn que") == taxonomy.resolve("HAN QUE") == "welding_smaw"
    assert taxonomy.resolve("welding_smaw") == "welding_smaw"
    assert taxonomy.resolve("thổi sáo bằng mũi") is None


def test_resolve_many_keeps_unresolved_text():
    ids, rest = default_taxonomy().resolve_many(["hàn que", "han que", "chịu khó làm"])
    assert ids == ["welding_smaw"]
    assert rest == ["chịu khó làm"]


def test_extract_finds_skills_in_experience():
    found = default_taxonomy().extract("Tôi có 3 năm làm thợ hàn và biết sửa xe máy")
    assert "welding_smaw" in found and "motorbike_repair" in found


def test_search_suggests_in_both_languages():
    taxonomy = default_taxonomy()
    assert "welding_smaw" in taxonomy.search("han")
    assert "welding_smaw" in taxonomy.search("weld")
    assert taxonomy.search("") == []


def test_occupations_are_found_by_name_without_diacritics():
    from indexer.taxonomy import default_occupations
    occupations = default_occupations()
    for typed in ("tho han", "Thợ hàn", "THO HAN", "welders", "han kim loai", "weld", "7212"):
        assert occupations.resolve(typed) == "7212", typed
    assert occupations.search("tho han")[0] == "7212"
    assert occupations.label("7212", "en") == "Welders and flame cutters"
    assert occupations.resolve("dau bep") == occupations.resolve("Đầu bếp") == "5120"
    assert occupations.resolve("cook") is None and len(occupations.search("cook")) >= 2
    assert occupations.resolve("phi hành gia") is None and occupations.search("xyz") == []
    # Marks carry meaning: "thợ máy" is not "thợ may" (tailor).
    assert not set(occupations.search("thợ máy")) & set(occupations.search("thợ may"))

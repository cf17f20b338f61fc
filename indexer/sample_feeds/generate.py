#!/usr/bin/env python3
"""Deterministic generator for the sample partner feeds (stdlib only).

    python indexer/sample_feeds/generate.py

Reads config/skills.json, config/vocab.json and premises.json (points near each
business, listed by the old units they were first placed in) and writes partners.json,
jobs.jsonl and courses.json next to this script, with every place in the current units
(since 2025-07-01: province and ward, by name and official code) from indexer.places.
The output is reproducible (random.Random(2024)); edit the tables below, not the outputs.

The data is invented: businesses, people and phone numbers are fictional,
although the places and the mix of trades follow the coastal wards of Thanh Hóa
(Phường Sầm Sơn, Phường Nam Sầm Sơn, Phường Hạc Thành, ...). Dates assume a "today"
around late 2026.
"""
import datetime as dt
import json
import random
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEED = 2024
sys.path.insert(0, str(ROOT))
from indexer import places  # noqa: E402


def load(name):
    with open(ROOT / "config" / name, encoding="utf-8") as f:
        return json.load(f)


SKILLS = {s["id"]: s for s in load("skills.json")["skills"]}
with open(HERE / "premises.json", encoding="utf-8") as _f:
    PLACES = json.load(_f)
VOCAB = load("vocab.json")

WARDS = {}      # (province, district, ward) -> (lat, lon)
DISTRICTS = {}  # (province, district) -> [ward names]
for _p in PLACES["provinces"]:
    for _d in _p["districts"]:
        DISTRICTS[(_p["name"], _d["name"])] = [w["name"] for w in _d["wards"]]
        for _w in _d["wards"]:
            WARDS[(_p["name"], _d["name"], _w["name"])] = (_w["lat"], _w["lon"])

TH = "Thanh Hóa"
SS = "Thành phố Sầm Sơn"
TPTH = "Thành phố Thanh Hóa"
NS = "Thị xã Nghi Sơn"
QX = "Huyện Quảng Xương"
HH = "Huyện Hoằng Hóa"
HL = "Huyện Hậu Lộc"
NGA = "Huyện Nga Sơn"
BS = "Thị xã Bỉm Sơn"
DS = "Huyện Đông Sơn"


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower()


def current(p, ward=None):
    """The current ward of a partner's premises (or of another old ward near them)."""
    return places.resolve(province=p.get("prov", TH), district=p["d"],
                          ward=ward or p["ward"]).ward


def now_address(p, ward=None):
    """The partner's address as written since 2025: the old ward's name replaced."""
    old, new = ward or p["ward"], current(p, ward).name
    return p["addr"].replace(lower_first(old), lower_first(new))


def short_place(p):
    """The name people use for where the business is: its current ward without the type."""
    ward = current(p)
    return ward.name[len(ward.kind):].strip()


def lower_first(s):
    return s[0].lower() + s[1:]


def vnd(n):
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------------------
# Partners. "ward" must exist in config/places.json. "fc" = fair-chance
# commitments. "pfx" = prefix for the partner's own posting IDs.
# ---------------------------------------------------------------------------
FC_NO_ASK = "Không hỏi về tiền án ở vòng phỏng vấn đầu tiên"
FC_MENTOR = "Có người kèm cặp trong 2 tuần đầu đi làm"
FC_ADVANCE = "Cho ứng lương trong tháng đầu để ổn định cuộc sống"
FC_RECORD = "Chỉ xem xét lý lịch tư pháp khi công việc thực sự liên quan"
FC_PROBATION = "Phối hợp với cán bộ tư pháp xã, phường khi người lao động cần"
FC_HOUSING = "Hỗ trợ chỗ ở tạm thời cho người mới ra trại"
FC_QUOTA = "Dành ít nhất 10% chỉ tiêu tuyển dụng cho người đã chấp hành xong án phạt tù"
FC_PRIVACY = "Giữ kín thông tin về quá khứ của người lao động"
FC_TRAIN = "Đào tạo nghề miễn phí và nhận vào làm sau khóa học"
FC_SCHEDULE = "Linh hoạt giờ làm để người lao động trình diện, học tập theo quy định"

PARTNERS = [
    # hospitality
    dict(id="ks-bien-xanh-samson", name="Khách sạn Biển Xanh Sầm Sơn", kind="employer", d=SS, ward="Phường Trường Sơn",
         addr="Số 12 đường Hồ Xuân Hương, phường Trường Sơn", person="Chị Lê Thị Thu Hà", phone="0912 418 336", pfx="BX",
         fc=[FC_NO_ASK, FC_MENTOR]),
    dict(id="ks-hoang-yen-samson", name="Khách sạn Hoàng Yến", kind="employer", d=SS, ward="Phường Bắc Sơn",
         addr="Số 45 đường Nguyễn Du, phường Bắc Sơn", person="Anh Nguyễn Văn Tuấn", phone="0983 207 514", pfx="HY"),
    dict(id="resort-truong-le-samson", name="Khu nghỉ dưỡng Trường Lệ Sầm Sơn", kind="employer", d=SS, ward="Phường Trung Sơn",
         addr="Đường Trường Lệ, phường Trung Sơn", person="Phòng Nhân sự – chị Đỗ Thị Mai", phone="0237 3821 660", pfx="TLR",
         fc=[FC_RECORD, FC_PRIVACY]),
    dict(id="ks-anh-duong-quang-cu", name="Khách sạn Ánh Dương Quảng Cư", kind="employer", d=SS, ward="Phường Quảng Cư",
         addr="Đại lộ Nam Sông Mã, phường Quảng Cư", person="Chị Hoàng Thị Lan", phone="0868 552 190", pfx="AD"),
    dict(id="nh-hai-san-co-tu", name="Nhà hàng Hải sản Cô Tư", kind="employer", d=SS, ward="Phường Quảng Tiến",
         addr="Số 8 đường Hồ Xuân Hương kéo dài, phường Quảng Tiến", person="Bà Trịnh Thị Tư", phone="0915 663 047", pfx="CT",
         fc=[FC_NO_ASK]),
    dict(id="nh-song-bien-samson", name="Nhà hàng Sóng Biển", kind="employer", d=SS, ward="Phường Bắc Sơn",
         addr="Số 102 đường Lê Lợi, phường Bắc Sơn", person="Anh Lê Đình Khoa", phone="0979 330 812", pfx="SB"),
    dict(id="dv-du-lich-bien-samson", name="Công ty TNHH Dịch vụ Du lịch Biển Sầm Sơn", kind="both", d=SS, ward="Phường Trường Sơn",
         addr="Số 3 đường Tây Sơn, phường Trường Sơn", person="Anh Phạm Quốc Bảo", phone="0904 775 128", pfx="DLB",
         fc=[FC_NO_ASK, FC_SCHEDULE]),
    dict(id="ks-song-lam-cua-lo", name="Khách sạn Sông Lam Cửa Lò", kind="employer", prov="Nghệ An", d="Thị xã Cửa Lò",
         ward="Phường Thu Thủy", addr="Đường Bình Minh, phường Thu Thủy", person="Chị Nguyễn Thị Hằng", phone="0948 120 365", pfx="SL"),
    # seafood processing
    dict(id="ts-hoang-phu", name="Công ty TNHH Chế biến Thủy sản Hoằng Phụ", kind="employer", d=HH, ward="Xã Hoằng Phụ",
         addr="Thôn Y Bích, xã Hoằng Phụ", person="Anh Lê Văn Thắng", phone="0913 284 509", pfx="HP",
         fc=[FC_NO_ASK, FC_ADVANCE, FC_QUOTA]),
    dict(id="ts-ngu-loc", name="Công ty CP Thủy sản Ngư Lộc", kind="both", d=HL, ward="Xã Ngư Lộc",
         addr="Khu công nghiệp ven biển, xã Ngư Lộc", person="Chị Vũ Thị Ngọc", phone="0237 3831 447", pfx="NL",
         fc=[FC_TRAIN, FC_ADVANCE]),
    dict(id="mam-hoa-loc", name="Cơ sở Nước mắm, Mắm tép Hòa Lộc", kind="employer", d=HL, ward="Xã Hòa Lộc",
         addr="Thôn Phú Lương, xã Hòa Lộc", person="Ông Mai Văn Lực", phone="0966 418 723", pfx="ML"),
    dict(id="ts-lach-bang", name="Công ty TNHH Thủy sản Lạch Bạng", kind="employer", d=NS, ward="Phường Hải Thanh",
         addr="Cảng cá Lạch Bạng, phường Hải Thanh", person="Anh Nguyễn Hữu Lâm", phone="0982 615 774", pfx="LB"),
    dict(id="hs-kho-quang-tien", name="Cơ sở Hải sản khô Quảng Tiến", kind="employer", d=SS, ward="Phường Quảng Tiến",
         addr="Khu phố Vinh Sơn, phường Quảng Tiến", person="Chị Lê Thị Nguyệt", phone="0936 285 401", pfx="HSK",
         fc=[FC_NO_ASK]),
    # fishing
    dict(id="htx-hai-san-lach-hoi", name="Hợp tác xã Khai thác Hải sản Lạch Hới", kind="employer", d=SS, ward="Phường Quảng Tiến",
         addr="Cảng cá Lạch Hới, phường Quảng Tiến", person="Ông Lê Văn Biển", phone="0919 502 337", pfx="LH",
         fc=[FC_NO_ASK, FC_PROBATION, FC_ADVANCE]),
    dict(id="htx-nghe-ca-hai-thanh", name="Hợp tác xã Dịch vụ Nghề cá Hải Thanh", kind="employer", d=NS, ward="Phường Hải Thanh",
         addr="Tổ dân phố Trung Hải, phường Hải Thanh", person="Ông Nguyễn Văn Hải", phone="0977 341 268", pfx="HT"),
    dict(id="htx-nuoi-trong-hoang-truong", name="Hợp tác xã Nuôi trồng Thủy sản Hoằng Trường", kind="employer", d=HH,
         ward="Xã Hoằng Trường", addr="Thôn Trường Sơn, xã Hoằng Trường", person="Anh Lê Huy Hoàng", phone="0961 207 455", pfx="NT"),
    # construction, welding, electrical
    dict(id="xd-sam-son-phat", name="Công ty CP Xây dựng Sầm Sơn Phát", kind="both", d=SS, ward="Phường Quảng Vinh",
         addr="Đường Thanh Niên, phường Quảng Vinh", person="Anh Hoàng Minh Đức", phone="0912 907 613", pfx="SSP",
         fc=[FC_NO_ASK, FC_ADVANCE]),
    dict(id="xd-tan-phong", name="Công ty TNHH Xây dựng và Thương mại Tân Phong", kind="employer", d=QX, ward="Thị trấn Tân Phong",
         addr="Tiểu khu 3, thị trấn Tân Phong", person="Anh Lê Văn Quang", phone="0945 663 201", pfx="TP"),
    dict(id="xd-lam-son", name="Công ty CP Đầu tư Xây dựng Lam Sơn", kind="employer", d=TPTH, ward="Phường Đông Vệ",
         addr="Số 215 đường Bà Triệu, phường Đông Vệ", person="Chị Nguyễn Thu Trang", phone="0237 3950 882", pfx="LS"),
    dict(id="ck-hung-cuong-sam-son", name="Cơ khí – Cửa sắt Hùng Cường", kind="employer", d=SS, ward="Phường Bắc Sơn",
         addr="Số 27 đường Lê Lợi, phường Bắc Sơn", person="Anh Trần Văn Cường", phone="0975 184 362", pfx="HC",
         fc=[FC_MENTOR]),
    dict(id="ck-minh-phat-sam-son", name="Xưởng Cơ khí Minh Phát Sầm Sơn", kind="employer", d=SS, ward="Xã Quảng Minh",
         addr="Cụm công nghiệp Quảng Minh, xã Quảng Minh", person="Anh Nguyễn Đình Phát", phone="0904 227 819", pfx="MP",
         fc=[FC_NO_ASK, FC_TRAIN]),
    dict(id="dong-tau-lach-hoi", name="Công ty TNHH Đóng sửa tàu Lạch Hới", kind="both", d=SS, ward="Phường Quảng Tiến",
         addr="Bến tàu Lạch Hới, phường Quảng Tiến", person="Ông Đặng Văn Thuận", phone="0913 376 058", pfx="DT",
         fc=[FC_NO_ASK, FC_TRAIN, FC_HOUSING]),
    dict(id="ck-quang-luu", name="Xưởng Cơ khí Quảng Lưu", kind="employer", d=QX, ward="Xã Quảng Lưu",
         addr="Thôn 5, xã Quảng Lưu", person="Anh Lê Văn Hậu", phone="0971 552 903", pfx="QL"),
    dict(id="kct-nghi-son", name="Công ty TNHH Kết cấu thép Nghi Sơn", kind="employer", d=NS, ward="Phường Tĩnh Hải",
         addr="Khu công nghiệp số 3, Khu kinh tế Nghi Sơn, phường Tĩnh Hải", person="Phòng Tổ chức – anh Vũ Hải Nam",
         phone="0237 3612 745", pfx="KCT", fc=[FC_RECORD, FC_HOUSING]),
    dict(id="dien-nuoc-hai-dang", name="Công ty TNHH Điện nước Hải Đăng", kind="employer", d=SS, ward="Phường Bắc Sơn",
         addr="Số 61 đường Trần Hưng Đạo, phường Bắc Sơn", person="Anh Phạm Hải Đăng", phone="0888 316 275", pfx="HD"),
    # garment and footwear
    dict(id="may-nghi-son", name="Công ty TNHH May mặc Xuất khẩu Nghi Sơn", kind="both", d=NS, ward="Phường Bình Minh",
         addr="Cụm công nghiệp Bình Minh, phường Bình Minh", person="Chị Lê Thị Hoa", phone="0237 3866 290", pfx="MNS",
         fc=[FC_NO_ASK, FC_TRAIN, FC_QUOTA]),
    dict(id="giay-bim-son", name="Công ty TNHH Giày da Bỉm Sơn", kind="both", d=BS, ward="Phường Lam Sơn",
         addr="Khu công nghiệp Bỉm Sơn, phường Lam Sơn", person="Chị Trần Thị Bích", phone="0237 3770 118", pfx="GBS",
         fc=[FC_TRAIN]),
    dict(id="may-quang-xuong", name="Công ty CP May Quảng Xương", kind="employer", d=QX, ward="Xã Quảng Định",
         addr="Quốc lộ 47, xã Quảng Định", person="Anh Nguyễn Văn Sơn", phone="0948 215 630", pfx="MQX"),
    dict(id="may-hoang-hoa", name="Công ty TNHH May Hoằng Hóa", kind="employer", d=HH, ward="Thị trấn Bút Sơn",
         addr="Khu phố Vinh Sơn, thị trấn Bút Sơn", person="Chị Lê Thị Duyên", phone="0965 774 129", pfx="MHH",
         fc=[FC_NO_ASK]),
    # transport, repair
    dict(id="vt-thanh-hung", name="Công ty TNHH Vận tải Thành Hưng", kind="employer", d=TPTH, ward="Phường Quảng Hưng",
         addr="Số 9 đại lộ Lê Lợi, phường Quảng Hưng", person="Anh Trịnh Xuân Hưng", phone="0913 068 442", pfx="TH"),
    dict(id="sua-xe-hung-sam-son", name="Tiệm Sửa xe máy Hùng", kind="both", d=SS, ward="Phường Trường Sơn",
         addr="Số 88 đường Nguyễn Hồng Lễ, phường Trường Sơn", person="Anh Nguyễn Văn Hùng", phone="0974 390 516", pfx="SXH",
         fc=[FC_NO_ASK, FC_MENTOR, FC_TRAIN]),
    dict(id="sua-xe-thang-tan-phong", name="Sửa chữa xe máy Thắng", kind="employer", d=QX, ward="Thị trấn Tân Phong",
         addr="Quốc lộ 45, thị trấn Tân Phong", person="Anh Lê Văn Thắng", phone="0392 551 708", pfx="ST"),
    dict(id="gara-oto-dong-ve", name="Gara Ô tô Đông Vệ", kind="employer", d=TPTH, ward="Phường Đông Vệ",
         addr="Số 530 đường Quang Trung, phường Đông Vệ", person="Anh Đỗ Trọng Nghĩa", phone="0983 442 617", pfx="GDV"),
    dict(id="dt-minh-khoa-sam-son", name="Cửa hàng Điện thoại Minh Khoa", kind="employer", d=SS, ward="Phường Bắc Sơn",
         addr="Số 14 đường Lê Lợi, phường Bắc Sơn", person="Anh Lê Minh Khoa", phone="0356 208 774", pfx="MK"),
    # farming, crafts
    dict(id="htx-nn-quang-minh", name="Hợp tác xã Dịch vụ Nông nghiệp Quảng Minh", kind="both", d=SS, ward="Xã Quảng Minh",
         addr="Thôn Minh Cát, xã Quảng Minh", person="Ông Nguyễn Văn Minh", phone="0915 027 336", pfx="QM",
         fc=[FC_NO_ASK, FC_SCHEDULE]),
    dict(id="trang-trai-dong-tien", name="Trang trại Chăn nuôi Đông Tiến", kind="employer", d=DS, ward="Xã Đông Tiến",
         addr="Thôn Thịnh Trị, xã Đông Tiến", person="Anh Lê Văn Tiến", phone="0962 114 823", pfx="DTF",
         fc=[FC_HOUSING]),
    dict(id="nam-sach-dong-hoa", name="Cơ sở Nấm sạch Đông Hòa", kind="employer", d=DS, ward="Xã Đông Hòa",
         addr="Thôn Văn Châu, xã Đông Hòa", person="Chị Phạm Thị Hương", phone="0389 602 155", pfx="NS"),
    dict(id="htx-coi-nga-son", name="Hợp tác xã Cói Nga Sơn", kind="both", d=NGA, ward="Xã Nga Tân",
         addr="Thôn 4, xã Nga Tân", person="Bà Mai Thị Cúc", phone="0237 3872 241", pfx="COI",
         fc=[FC_TRAIN, FC_SCHEDULE]),
    # services
    dict(id="bv-an-phat", name="Công ty TNHH Dịch vụ Bảo vệ An Phát", kind="both", d=TPTH, ward="Phường Đông Hương",
         addr="Số 37 đường Phan Chu Trinh, phường Đông Hương", person="Anh Hà Văn Phát", phone="0912 640 388", pfx="AP"),
    dict(id="vs-sach-xanh", name="Công ty TNHH Vệ sinh Công nghiệp Sạch Xanh", kind="both", d=TPTH, ward="Phường Đông Thọ",
         addr="Số 120 đường Lạc Long Quân, phường Đông Thọ", person="Chị Nguyễn Thị Xuân", phone="0986 730 264", pfx="SX",
         fc=[FC_NO_ASK, FC_ADVANCE]),
    dict(id="kho-van-le-mon", name="Công ty CP Kho vận Lễ Môn", kind="both", d=TPTH, ward="Phường Quảng Hưng",
         addr="Khu công nghiệp Lễ Môn, phường Quảng Hưng", person="Anh Trần Đức Long", phone="0237 3911 570", pfx="KV"),
    dict(id="ch-tien-loi-pho-bien", name="Hệ thống Cửa hàng Tiện lợi Phố Biển", kind="employer", d=SS, ward="Phường Trường Sơn",
         addr="Số 5 đường Bà Triệu, phường Trường Sơn", person="Chị Lê Thị Phương", phone="0977 552 641", pfx="PB"),
    # training providers and a social enterprise
    dict(id="gdnn-sam-son", name="Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên thành phố Sầm Sơn",
         kind="training_provider", d=SS, ward="Phường Bắc Sơn", addr="Đường Lê Thánh Tông, phường Bắc Sơn",
         person="Thầy Nguyễn Văn Thành", phone="0237 3821 135", pfx="SS",
         fc=[FC_SCHEDULE, "Miễn học phí cho người chấp hành xong án phạt tù thuộc diện hỗ trợ"]),
    dict(id="gdnn-quang-xuong", name="Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên huyện Quảng Xương",
         kind="training_provider", d=QX, ward="Thị trấn Tân Phong", addr="Tiểu khu 1, thị trấn Tân Phong",
         person="Cô Lê Thị Hạnh", phone="0237 3863 224", pfx="QX"),
    dict(id="gdnn-nghi-son", name="Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên thị xã Nghi Sơn",
         kind="training_provider", d=NS, ward="Phường Hải Hòa", addr="Tổ dân phố Thanh Đông, phường Hải Hòa",
         person="Thầy Lê Văn Dũng", phone="0237 3862 118", pfx="NSN"),
    dict(id="gdnn-hau-loc", name="Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên huyện Hậu Lộc",
         kind="training_provider", d=HL, ward="Thị trấn Hậu Lộc", addr="Khu phố 2, thị trấn Hậu Lộc",
         person="Cô Nguyễn Thị Loan", phone="0237 3831 209", pfx="HLC"),
    dict(id="gdnn-dong-son", name="Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên huyện Đông Sơn",
         kind="training_provider", d=DS, ward="Thị trấn Rừng Thông", addr="Khu phố 3, thị trấn Rừng Thông",
         person="Thầy Trịnh Văn Hòa", phone="0237 3690 315", pfx="DS"),
    dict(id="cd-ky-thuat-xu-thanh", name="Trường Cao đẳng Kỹ thuật Công nghiệp Xứ Thanh", kind="training_provider",
         d=TPTH, ward="Phường Quảng Tâm", addr="Số 2 đường Bà Triệu kéo dài, phường Quảng Tâm",
         person="Phòng Tuyển sinh", phone="0237 3717 500", pfx="XT",
         fc=["Ưu tiên xét tuyển và giảm học phí cho người đã chấp hành xong án phạt tù"]),
    dict(id="tt-lai-xe-ham-rong", name="Trung tâm Đào tạo Lái xe Hàm Rồng", kind="training_provider", d=TPTH,
         ward="Phường Hàm Rồng", addr="Số 46 đường Nguyễn Trãi, phường Hàm Rồng", person="Anh Lê Quốc Việt",
         phone="0237 3960 448", pfx="LX"),
    dict(id="tt-nghe-ca-xu-thanh", name="Trung tâm Đào tạo Nghề cá Biển Xứ Thanh", kind="training_provider", d=SS,
         ward="Phường Quảng Tiến", addr="Khu phố Trung Kỳ, phường Quảng Tiến", person="Ông Lê Văn Thủy",
         phone="0237 3790 226", pfx="NC"),
    dict(id="dnxh-bep-co-hoi", name="Doanh nghiệp xã hội Bếp Cơ Hội", kind="both", d=SS, ward="Phường Trường Sơn",
         addr="Số 21 đường Nguyễn Thị Lợi, phường Trường Sơn", person="Chị Phạm Thị Thanh Tâm", phone="0936 118 402",
         pfx="BCH",
         fc=[FC_NO_ASK, FC_MENTOR, FC_PRIVACY, FC_SCHEDULE, FC_ADVANCE,
             "Toàn bộ lợi nhuận tái đầu tư cho đào tạo nghề và việc làm của người hoàn lương"]),
]
PARTNER = {p["id"]: p for p in PARTNERS}


def full_address(p):
    return f"{now_address(p)}, tỉnh {p.get('prov', TH)}"


def partner_record(p):
    ward = current(p)
    rec = {"id": p["id"], "name": p["name"], "kind": p["kind"],
           "contact": {"name": p["person"], "phone": p["phone"], "address": full_address(p)},
           "province": p.get("prov", TH), "ward": ward.name}
    if p.get("fc"):
        rec["fair_chance_commitments"] = p["fc"]
    return rec


# ---------------------------------------------------------------------------
# Shared phrase banks
# ---------------------------------------------------------------------------
BENEFIT_TEXT = {
    "housing": ["bố trí chỗ ở miễn phí", "hỗ trợ tiền phòng trọ", "có phòng ở tập thể cho người ở xa"],
    "meals": ["bao ăn trưa", "có bữa ăn ca", "bao cơm hai bữa", "được ăn ca miễn phí"],
    "transport": ["có xe đưa đón", "hỗ trợ tiền xăng xe", "xe đưa đón từ trung tâm Sầm Sơn"],
    "insurance": ["đóng BHXH, BHYT đầy đủ", "tham gia bảo hiểm xã hội theo luật", "ký hợp đồng và đóng bảo hiểm sau thử việc"],
    "training": ["được kèm cặp, đào tạo tại chỗ", "đào tạo miễn phí cho người chưa có kinh nghiệm", "có thợ cả hướng dẫn"],
    "advance_pay": ["cho ứng lương khi cần", "được ứng lương giữa tháng", "ứng trước lương tuần đầu"],
}
FAIR_LINES = [
    "Chúng tôi chào đón người đã chấp hành xong án phạt tù, muốn làm lại cuộc đời.",
    "Không phân biệt quá khứ, chỉ cần thật thà và chịu khó.",
    "Ưu tiên tạo việc làm cho người hoàn lương, người có hoàn cảnh khó khăn.",
    "Người mới ra trại được nhận, có người hướng dẫn từ đầu.",
]
UNRESOLVED = ["chịu khó", "nhanh nhẹn", "trung thực", "sức khỏe tốt", "chăm chỉ", "không ngại khó", "ham học hỏi"]

# ---------------------------------------------------------------------------
# Trades. pay: list of (period, lo, hi) within the brief's realistic bounds; hours and
# shift codes come from SCHED below.
# req: always-required skill IDs; req_pool/pref_pool: (pool, k_min, k_max).
# ---------------------------------------------------------------------------
M, D_, H = "month", "day", "hour"


def T(**kw):
    kw.setdefault("emp", {"full_time": 1})
    kw.setdefault("benefits", ["insurance"])
    kw.setdefault("openings", (1, 5))
    kw.setdefault("edu", ["none"])
    kw.setdefault("lic", [])
    kw.setdefault("excl", (0.0, []))
    kw.setdefault("req_pool", ([], 0, 0))
    kw.setdefault("pref_pool", ([], 0, 0))
    kw.setdefault("intros", [])
    return kw


TRADES = [
    # ---------------- tourism, hotels, restaurants (68) ----------------
    T(key="housekeeping", sector="tourism", n=13, occ="9112", role="nhân viên buồng phòng",
      partners=["ks-bien-xanh-samson", "ks-hoang-yen-samson", "resort-truong-le-samson", "ks-anh-duong-quang-cu",
                "ks-song-lam-cua-lo"],
      titles=["Nhân viên buồng phòng", "Tuyển nhân viên buồng phòng khách sạn", "Nhân viên dọn phòng (mùa du lịch 2027)",
              "Buồng phòng – làm ca sáng"],
      tasks=["dọn dẹp, thay ga gối và khăn tắm các phòng đã trả", "vệ sinh phòng tắm, hành lang, cầu thang",
             "bổ sung đồ dùng minibar và đồ amenity", "báo lễ tân khi phát hiện thiết bị hỏng hoặc đồ khách để quên",
             "chuẩn bị phòng trước giờ khách nhận phòng lúc 14h"],
      reqs=["từ 18–45 tuổi", "cẩn thận, sạch sẽ", "không cần kinh nghiệm, được hướng dẫn"],
      req=["housekeeping"], pref_pool=(["laundry", "teamwork", "punctuality", "communication"], 1, 2),
      pay=[(M, 5_000_000, 7_000_000)], emp={"full_time": 3, "seasonal": 2},
      benefits=["meals", "insurance", "housing", "training"],
      openings=(2, 8), excl=(0.45, [["property"], ["sexual"], ["property", "sexual"], ["sexual"]])),
    T(key="waiter", sector="tourism", n=13, occ="5131", role="nhân viên phục vụ bàn",
      partners=["nh-hai-san-co-tu", "nh-song-bien-samson", "ks-bien-xanh-samson", "resort-truong-le-samson",
                "dnxh-bep-co-hoi", "ks-song-lam-cua-lo"],
      titles=["Nhân viên phục vụ bàn", "Tuyển chạy bàn nhà hàng hải sản", "Phục vụ nhà hàng – ca tối",
              "Nhân viên phục vụ bàn (bán thời gian)", "Phục vụ tiệc cưới, hội nghị"],
      tasks=["đón khách, xếp bàn và ghi món", "bưng bê món ăn, dọn bàn sau khi khách về",
             "giới thiệu món hải sản trong ngày cho khách", "set up bàn tiệc theo sơ đồ",
             "phối hợp với bếp để ra món đúng thứ tự"],
      reqs=["nhanh nhẹn, vui vẻ với khách", "biết vài câu tiếng Anh là lợi thế", "từ 18 tuổi trở lên"],
      req=["waiter"], pref_pool=(["banquet_service", "communication", "english_tourism", "teamwork"], 1, 2),
      pay=[(M, 5_000_000, 7_000_000), (H, 25_000, 30_000)],
      emp={"full_time": 2, "part_time": 2, "seasonal": 2},
      benefits=["meals", "training", "advance_pay"],
      openings=(2, 10), excl=(0.2, [["sexual"]])),
    T(key="cook", sector="tourism", n=8, occ="5120", role="đầu bếp",
      partners=["nh-hai-san-co-tu", "nh-song-bien-samson", "ks-hoang-yen-samson", "resort-truong-le-samson",
                "dnxh-bep-co-hoi"],
      titles=["Đầu bếp món Việt", "Bếp chính nhà hàng hải sản", "Đầu bếp ca tối", "Đầu bếp nấu cỗ, tiệc"],
      tasks=["chế biến các món hải sản hấp, nướng, xào theo thực đơn", "lên thực đơn và đặt nguyên liệu hằng ngày",
             "nấu cỗ, tiệc theo đặt trước của khách đoàn", "kiểm tra độ tươi của hải sản khi nhập",
             "hướng dẫn phụ bếp sơ chế và giữ vệ sinh bếp"],
      reqs=["có kinh nghiệm nấu ăn từ 1 năm", "nấu được các món hải sản xứ Thanh", "có giấy khám sức khỏe"],
      req=["vietnamese_cuisine"], req_pool=(["seafood_cooking"], 0, 1),
      pref_pool=(["food_safety", "kitchen_helper", "nem_chua", "western_dishes"], 1, 2),
      pay=[(M, 7_000_000, 12_000_000)], emp={"full_time": 4, "seasonal": 1},
      benefits=["meals", "insurance", "housing"],
      lic=[(0.4, ["food_safety"])], openings=(1, 2), edu=["none", "primary"]),
    T(key="kitchen_helper", sector="tourism", n=8, occ="9412", role="phụ bếp",
      partners=["nh-hai-san-co-tu", "nh-song-bien-samson", "ks-anh-duong-quang-cu", "dnxh-bep-co-hoi"],
      titles=["Phụ bếp", "Tuyển phụ bếp nhà hàng", "Phụ bếp kiêm rửa bát", "Phụ bếp học việc"],
      tasks=["sơ chế rau, làm sạch cá, tôm, mực", "rửa bát, lau dọn khu bếp cuối ca", "chuẩn bị nguyên liệu cho bếp chính",
             "sắp xếp kho khô và tủ mát"],
      reqs=["không cần kinh nghiệm", "sạch sẽ, cẩn thận", "chịu được áp lực giờ cao điểm"],
      req=["kitchen_helper"], req_pool=(["dishwashing", "food_safety"], 0, 1),
      pref_pool=(["vietnamese_cuisine", "seafood_cooking", "teamwork"], 1, 1),
      pay=[(M, 5_000_000, 6_500_000), (H, 25_000, 28_000)], emp={"full_time": 3, "part_time": 1, "apprenticeship": 1},
      benefits=["meals", "training"], openings=(1, 3)),
    T(key="front_desk", sector="tourism", n=5, occ="4224", role="nhân viên lễ tân",
      partners=["ks-bien-xanh-samson", "ks-hoang-yen-samson", "resort-truong-le-samson"],
      titles=["Nhân viên lễ tân khách sạn", "Lễ tân ca đêm", "Lễ tân – biết tiếng Anh giao tiếp"],
      tasks=["làm thủ tục nhận, trả phòng cho khách", "trả lời điện thoại và tin nhắn đặt phòng",
             "thu tiền phòng, xuất hóa đơn", "giới thiệu dịch vụ tắm biển, xe điện, nhà hàng cho khách"],
      reqs=["tốt nghiệp THPT", "giao tiếp tốt, biết dùng máy tính", "biết tiếng Anh cơ bản"],
      req=["front_desk", "computer_basics"], pref_pool=(["english_tourism", "customer_service", "cashier"], 1, 2),
      pay=[(M, 6_000_000, 8_500_000)], benefits=["meals", "insurance", "training"],
      openings=(1, 2), edu=["upper_secondary"], excl=(0.4, [["fraud"], ["property", "fraud"]])),
    T(key="bellman", sector="tourism", n=4, occ="9621", role="nhân viên hành lý",
      partners=["ks-bien-xanh-samson", "resort-truong-le-samson", "ks-anh-duong-quang-cu"],
      titles=["Nhân viên hành lý (bellman)", "Bellman kiêm đón khách"],
      tasks=["đón khách, mang hành lý lên phòng", "hướng dẫn khách sử dụng thiết bị trong phòng",
             "gọi xe điện, taxi cho khách", "giữ đồ, gửi hành lý"],
      reqs=["từ 18–35 tuổi", "sức khỏe tốt", "lịch sự, nhanh nhẹn"],
      req=["bellman"], pref_pool=(["english_tourism", "communication"], 1, 1),
      pay=[(M, 5_000_000, 6_500_000)], emp={"full_time": 1, "seasonal": 1},
      benefits=["meals", "insurance"], openings=(1, 3), excl=(0.25, [["property"]])),
    T(key="laundry", sector="tourism", n=4, occ="8157", role="nhân viên giặt là",
      partners=["resort-truong-le-samson", "ks-hoang-yen-samson", "ks-anh-duong-quang-cu"],
      titles=["Nhân viên giặt là", "Công nhân giặt ủi khách sạn"],
      tasks=["vận hành máy giặt, máy sấy công nghiệp", "phân loại, gấp ga gối, khăn tắm", "là ủi đồng phục nhân viên",
             "giao nhận đồ giặt với bộ phận buồng"],
      reqs=["không cần kinh nghiệm", "cẩn thận"],
      req=["laundry"], pref_pool=(["ironing", "housekeeping"], 1, 1),
      pay=[(M, 5_000_000, 6_500_000)], emp={"full_time": 1, "seasonal": 1},
      benefits=["meals", "insurance"], openings=(1, 3)),
    T(key="lifeguard", sector="tourism", n=4, occ="5419", role="nhân viên cứu hộ bãi biển",
      partners=["dv-du-lich-bien-samson", "resort-truong-le-samson"],
      titles=["Nhân viên cứu hộ bãi biển", "Cứu hộ bãi tắm mùa hè 2027", "Cứu hộ bể bơi khu nghỉ dưỡng"],
      tasks=["trực chòi cứu hộ, quan sát khu vực tắm", "cắm cờ báo vùng nguy hiểm, nhắc khách không ra xa",
             "sơ cứu đuối nước, gọi cấp cứu", "tuần tra bãi tắm bằng ca nô vào giờ đông khách"],
      reqs=["bơi giỏi, sức khỏe tốt", "có chứng chỉ cứu hộ là lợi thế", "được đào tạo sơ cứu trước mùa"],
      req=["lifeguard"], req_pool=(["first_aid", "sea_safety"], 1, 1), pref_pool=(["tour_boat", "communication"], 0, 1),
      pay=[(M, 6_000_000, 9_000_000)], emp={"seasonal": 3, "full_time": 1},
      benefits=["meals", "insurance", "training"], openings=(2, 10), excl=(0.5, [["sexual"], ["sexual", "violent"]])),
    T(key="tour_boat", sector="tourism", n=3, occ="8350", role="thuyền viên tàu du lịch",
      partners=["dv-du-lich-bien-samson"],
      titles=["Thuyền viên tàu du lịch ngắm biển", "Lái ca nô du lịch", "Phụ thuyền tàu tham quan Hòn Mê"],
      tasks=["đón khách lên xuống tàu, phát áo phao", "neo buộc tàu, vệ sinh tàu sau mỗi chuyến",
             "hỗ trợ thuyền trưởng điều khiển tàu", "hướng dẫn an toàn cho khách trước khi xuất bến"],
      reqs=["bơi giỏi", "không say sóng", "từng đi biển là lợi thế"],
      req=["tour_boat", "sea_safety"], pref_pool=(["navigation_basics", "boat_engine", "lifeguard"], 1, 2),
      pay=[(M, 6_000_000, 9_000_000), (D_, 300_000, 400_000)], emp={"seasonal": 2, "full_time": 1},
      benefits=["meals", "insurance"], lic=[(0.3, ["boat_master"])],
      openings=(1, 4)),
    T(key="bartender", sector="tourism", n=3, occ="5132", role="nhân viên pha chế",
      partners=["resort-truong-le-samson", "dnxh-bep-co-hoi", "ks-bien-xanh-samson"],
      titles=["Nhân viên pha chế", "Pha chế quầy bar bãi biển", "Barista quán cà phê"],
      tasks=["pha chế nước ép, sinh tố, cà phê, cocktail cơ bản", "nhận order, thu tiền tại quầy",
             "vệ sinh dụng cụ, kiểm kê nguyên liệu cuối ca"],
      reqs=["không cần kinh nghiệm, được dạy pha chế", "vui vẻ, sạch sẽ"],
      req=["bartending"], req_pool=(["barista"], 0, 1), pref_pool=(["cashier", "english_tourism", "food_safety"], 1, 1),
      pay=[(M, 6_000_000, 9_000_000), (H, 25_000, 35_000)], emp={"full_time": 1, "part_time": 1},
      benefits=["meals", "training"], openings=(1, 3), excl=(0.34, [["drug"]])),
    T(key="hotel_maintenance", sector="tourism", n=3, occ="5153", role="nhân viên kỹ thuật bảo trì",
      partners=["resort-truong-le-samson", "ks-bien-xanh-samson", "ks-anh-duong-quang-cu"],
      titles=["Nhân viên kỹ thuật bảo trì khách sạn", "Kỹ thuật điện nước khách sạn"],
      tasks=["sửa chữa điện, nước, điều hòa trong phòng khách", "bảo dưỡng máy bơm, máy phát điện, bể bơi",
             "thay bóng đèn, khóa cửa, vòi sen hỏng", "trực sự cố ca đêm theo lịch"],
      reqs=["biết điện nước dân dụng", "có kinh nghiệm là lợi thế"],
      req=["hotel_maintenance", "electrical_domestic"], req_pool=(["plumbing_domestic", "air_conditioning"], 1, 1),
      pref_pool=(["electrical_safety", "small_engine_repair"], 1, 1),
      pay=[(M, 7_000_000, 10_000_000)], benefits=["meals", "insurance"],
      lic=[(0.5, ["electrical_safety"])], openings=(1, 1), edu=["lower_secondary"]),
    # ---------------- seafood processing (51) ----------------
    T(key="seafood_worker", sector="seafood_processing", n=14, occ="7511", role="công nhân chế biến thủy sản",
      partners=["ts-hoang-phu", "ts-ngu-loc", "ts-lach-bang"],
      titles=["Công nhân chế biến thủy sản", "Công nhân phi lê cá", "Tuyển công nhân sơ chế mực, cá",
              "Công nhân chế biến hải sản xuất khẩu"],
      tasks=["phi lê cá, lạng da, bỏ xương theo quy cách", "sơ chế mực: lột da, bỏ nội tạng, rửa sạch",
             "rửa, ướp đá nguyên liệu ngay khi nhập", "thay đồ bảo hộ, rửa tay đúng quy trình trước khi vào xưởng",
             "tách thịt ghẹ, làm sạch ngao sò"],
      reqs=["không cần kinh nghiệm, được đào tạo 2 tuần", "không dị ứng hải sản", "chịu được môi trường lạnh, ẩm"],
      req=["fish_filleting"], req_pool=(["squid_processing", "shellfish_processing", "haccp_hygiene"], 1, 1),
      pref_pool=(["haccp_hygiene", "seafood_grading", "teamwork"], 1, 2),
      pay=[(M, 6_000_000, 9_000_000), (D_, 250_000, 350_000)], emp={"full_time": 4, "seasonal": 1},
      benefits=["meals", "insurance", "transport", "training"],
      openings=(10, 40)),
    T(key="shrimp_peeling", sector="seafood_processing", n=10, occ="7511", role="công nhân bóc nõn tôm",
      partners=["ts-hoang-phu", "ts-ngu-loc", "ts-lach-bang"],
      titles=["Công nhân bóc nõn tôm", "Lột tôm xuất khẩu – lương theo sản phẩm", "Công nhân sơ chế tôm"],
      tasks=["bóc vỏ, rút chỉ lưng tôm theo size", "xếp tôm vào khay cấp đông", "giữ tôm luôn được ướp đá lạnh",
             "vệ sinh bàn, dụng cụ sau mỗi ca"],
      reqs=["khéo tay, nhanh nhẹn", "nhận cả nam và nữ", "không cần kinh nghiệm"],
      req=["shrimp_peeling"], pref_pool=(["haccp_hygiene", "seafood_packing", "seafood_grading"], 1, 2),
      pay=[(M, 6_000_000, 8_500_000), (D_, 250_000, 320_000)], emp={"full_time": 3, "seasonal": 2},
      benefits=["meals", "insurance", "transport"], openings=(10, 50)),
    T(key="fish_sauce", sector="seafood_processing", n=7, occ="7514", role="công nhân làm nước mắm, mắm tép",
      partners=["mam-hoa-loc", "ts-ngu-loc"],
      titles=["Công nhân làm nước mắm truyền thống", "Thợ làm mắm tép Hòa Lộc", "Công nhân đóng chai nước mắm"],
      tasks=["trộn cá với muối, ủ chượp trong thùng gỗ", "đảo chượp, kéo rút nước mắm theo định kỳ",
             "làm mắm tép: rửa tép, trộn muối, phơi nắng", "lọc, đóng chai, dán nhãn sản phẩm"],
      reqs=["chịu được mùi nặng", "ở gần Hòa Lộc hoặc Ngư Lộc là lợi thế", "không cần kinh nghiệm"],
      req=["fish_sauce_making"], req_pool=(["shrimp_paste_making"], 0, 1),
      pref_pool=(["food_safety", "seafood_packing"], 1, 1),
      pay=[(M, 6_000_000, 8_000_000), (D_, 250_000, 300_000)], emp={"full_time": 2, "seasonal": 1},
      benefits=["meals", "training"], openings=(2, 6)),
    T(key="cold_storage", sector="seafood_processing", n=6, occ="8160", role="công nhân vận hành kho lạnh",
      partners=["ts-hoang-phu", "ts-lach-bang", "ts-ngu-loc"],
      titles=["Công nhân kho lạnh", "Vận hành tủ cấp đông", "Nhân viên kho đông – ca đêm"],
      tasks=["vận hành tủ cấp đông tiếp xúc và hầm đông gió", "xếp thùng hàng vào kho -18°C, ghi sổ nhập xuất",
             "theo dõi nhiệt độ kho mỗi 2 giờ", "bốc xếp hàng lên xe container lạnh"],
      reqs=["sức khỏe tốt", "chịu được lạnh", "biết ghi chép sổ sách"],
      req=["cold_storage"], pref_pool=(["forklift_operation", "inventory", "ice_making", "electrical_safety"], 1, 2),
      pay=[(M, 7_000_000, 10_000_000)],
      benefits=["meals", "insurance", "housing"], openings=(2, 6), lic=[(0.3, ["forklift"])]),
    T(key="seafood_grading", sector="seafood_processing", n=6, occ="7515", role="nhân viên phân loại hải sản",
      partners=["ts-hoang-phu", "ts-ngu-loc", "ts-lach-bang"],
      titles=["Nhân viên phân cỡ tôm, cá", "Phân loại hải sản tại cảng", "Nhân viên kiểm tra chất lượng nguyên liệu"],
      tasks=["phân loại tôm, cá, mực theo kích cỡ và độ tươi", "cân, ghi phiếu nhập nguyên liệu từ tàu",
             "kiểm tra nhiệt độ và mùi nguyên liệu", "loại bỏ hàng không đạt chuẩn xuất khẩu"],
      reqs=["mắt tinh, cẩn thận", "biết tính toán, ghi chép"],
      req=["seafood_grading"], req_pool=(["basic_arithmetic", "haccp_hygiene"], 1, 1),
      pref_pool=(["vietnamese_literacy", "cold_storage"], 1, 1),
      pay=[(M, 6_500_000, 9_000_000)], benefits=["meals", "insurance"],
      openings=(1, 4), edu=["primary", "lower_secondary"]),
    T(key="dried_seafood", sector="seafood_processing", n=5, occ="7514", role="công nhân làm hải sản khô",
      partners=["hs-kho-quang-tien", "ts-lach-bang"],
      titles=["Công nhân làm cá khô, mực khô", "Thợ phơi mực", "Công nhân chế biến hải sản khô"],
      tasks=["mổ, rửa cá và mực trước khi phơi", "phơi, trở mặt, thu gom hàng khi trời mưa",
             "sấy, phân loại và đóng túi hút chân không", "bán hàng cho khách du lịch tại cửa hàng khi đông khách"],
      reqs=["không cần kinh nghiệm"],
      req=["dried_seafood"], pref_pool=(["squid_processing", "seafood_packing", "sales"], 1, 2),
      pay=[(M, 5_500_000, 8_000_000), (D_, 250_000, 300_000)], emp={"full_time": 1, "seasonal": 2},
      benefits=["meals"], openings=(2, 6)),
    T(key="seafood_packing", sector="seafood_processing", n=3, occ="9321", role="công nhân đóng gói",
      partners=["ts-hoang-phu", "ts-ngu-loc"],
      titles=["Công nhân đóng gói hải sản", "Xếp khuôn, đóng thùng thủy sản"],
      tasks=["xếp sản phẩm vào khuôn, cân đúng trọng lượng", "đóng thùng, dán nhãn, ghi mã lô",
             "vệ sinh khu đóng gói"], reqs=["không cần kinh nghiệm"],
      req=["seafood_packing"], pref_pool=(["haccp_hygiene", "picking_packing"], 1, 1),
      pay=[(M, 5_500_000, 7_500_000)], benefits=["meals", "insurance", "transport"],
      openings=(5, 20)),
    # ---------------- fishing (27) ----------------
    T(key="deck_hand", sector="fishing", n=12, occ="6222", role="thuyền viên tàu cá",
      partners=["htx-hai-san-lach-hoi", "htx-nghe-ca-hai-thanh"],
      titles=["Thuyền viên tàu cá xa bờ", "Tuyển bạn thuyền đi biển", "Thuyền viên tàu lưới kéo",
              "Thuyền viên tàu câu mực", "Lao động đi biển theo chuyến"],
      tasks=["thả, kéo lưới và gỡ cá", "phân loại, ướp đá cá trong hầm tàu", "vá lưới khi tàu neo đậu",
             "trực ca trên boong theo phân công của thuyền trưởng", "câu mực ban đêm bằng đèn"],
      reqs=["từ 18–50 tuổi", "biết bơi, không say sóng", "chưa đi biển sẽ được kèm cặp"],
      req=["deck_hand"], req_pool=(["gillnet_fishing", "longline_fishing", "fish_handling_onboard"], 1, 1),
      pref_pool=(["net_making", "sea_safety", "boat_engine"], 1, 2),
      pay=[(M, 8_000_000, 15_000_000)], emp={"full_time": 2, "seasonal": 1},
      benefits=["meals", "advance_pay", "insurance"],
      openings=(2, 8), extra_unresolved=["không say sóng", "biết bơi"]),
    T(key="boat_engine", sector="fishing", n=5, occ="3151", role="máy trưởng tàu cá",
      partners=["htx-hai-san-lach-hoi", "htx-nghe-ca-hai-thanh"],
      titles=["Máy trưởng tàu cá", "Thợ máy tàu cá xa bờ", "Tuyển thợ máy tàu 400CV"],
      tasks=["vận hành và theo dõi máy chính, máy phát trên tàu", "thay dầu, lọc, bảo dưỡng máy theo giờ chạy",
             "xử lý sự cố máy khi đang trên biển", "kiểm tra nhiên liệu trước mỗi chuyến"],
      reqs=["có bằng máy trưởng tàu cá", "từng làm máy tàu hoặc máy ô tô"],
      req=["boat_engine"], req_pool=(["marine_engine_repair", "engine_repair"], 1, 1),
      pref_pool=(["sea_safety", "deck_hand"], 1, 1),
      pay=[(M, 10_000_000, 15_000_000)], benefits=["meals", "advance_pay", "insurance"],
      lic=[(0.8, ["boat_engineer"])], openings=(1, 2)),
    T(key="net_mending", sector="fishing", n=5, occ="7318", role="thợ đan, vá lưới",
      partners=["htx-hai-san-lach-hoi", "htx-nghe-ca-hai-thanh"],
      titles=["Thợ vá lưới tại cảng", "Đan, vá lưới thuê theo ngày", "Công nhân vá lưới"],
      tasks=["vá lưới rách sau mỗi chuyến biển", "đan lưới mới theo kích thước mắt lưới", "kết phao, chì vào lưới",
             "phơi, gấp lưới gọn gàng"],
      reqs=["biết đan vá lưới", "người lớn tuổi cũng nhận"],
      req=["net_making"], pref_pool=(["deck_hand", "gillnet_fishing"], 0, 1),
      pay=[(D_, 250_000, 350_000)], emp={"day_labour": 2, "part_time": 1},
      benefits=["meals"], openings=(2, 6)),
    T(key="aquaculture", sector="fishing", n=5, occ="6221", role="công nhân nuôi trồng thủy sản",
      partners=["htx-nuoi-trong-hoang-truong"],
      titles=["Công nhân nuôi tôm thẻ chân trắng", "Công nhân chăm sóc bãi ngao", "Kỹ thuật viên nuôi tôm"],
      tasks=["cho tôm ăn, kiểm tra nhá theo giờ", "đo độ mặn, pH, chạy quạt nước ban đêm",
             "thu hoạch ngao, phân loại", "canh đầm, bảo vệ ao nuôi"],
      reqs=["chịu khó, ở được tại trại", "biết bơi"],
      req=["shrimp_farming"], req_pool=(["clam_farming", "fish_farming"], 0, 1),
      pref_pool=(["vet_basics", "small_engine_repair"], 1, 1),
      pay=[(M, 6_000_000, 9_000_000)], benefits=["housing", "meals"],
      openings=(1, 4)),
    # ---------------- construction, electrical, plumbing (37 + 14 welding) ----------------
    T(key="mason", sector="construction", n=8, occ="7112", role="thợ xây",
      partners=["xd-sam-son-phat", "xd-tan-phong", "xd-lam-son"], wards_vary=True,
      titles=["Thợ xây (thợ nề)", "Tuyển thợ xây công trình nhà ở", "Thợ xây – trát", "Thợ nề làm khách sạn"],
      tasks=["xây tường gạch, trát tường theo bản vẽ", "xây bể nước, bậc cầu thang", "căng dây, lấy cốt cao độ",
             "hướng dẫn phụ hồ trộn vữa đúng mác"],
      reqs=["có tay nghề xây từ 1 năm", "có đồ nghề cá nhân là lợi thế"],
      req=["masonry_bricklaying"], req_pool=(["plastering", "construction_drawings"], 1, 1),
      pref_pool=(["tiling", "concrete_work", "construction_safety"], 1, 2),
      pay=[(M, 9_000_000, 13_000_000), (D_, 350_000, 500_000)], emp={"full_time": 2, "day_labour": 2},
      benefits=["meals", "advance_pay"], openings=(2, 10), excl=(0.05, [["property"]])),
    T(key="construction_labour", sector="construction", n=7, occ="9313", role="lao động phụ hồ",
      partners=["xd-sam-son-phat", "xd-tan-phong", "xd-lam-son"], wards_vary=True,
      titles=["Phụ hồ công trình", "Lao động phổ thông xây dựng", "Tuyển phụ hồ, trả lương theo ngày"],
      tasks=["trộn vữa, bê gạch, vận chuyển vật liệu", "dọn dẹp mặt bằng công trình", "đổ bê tông cùng tổ thợ",
             "tháo dỡ cốp pha, giàn giáo"],
      reqs=["sức khỏe tốt", "không cần kinh nghiệm", "trả lương theo ngày, có ứng"],
      req=["construction_labour"], pref_pool=(["concrete_work", "construction_safety", "teamwork"], 1, 2),
      pay=[(D_, 250_000, 350_000)], emp={"day_labour": 3, "temporary": 1},
      benefits=["meals", "advance_pay"], openings=(3, 15), extra_unresolved=["sức khỏe tốt"]),
    T(key="tiling", sector="construction", n=5, occ="7122", role="thợ ốp lát, trát",
      partners=["xd-sam-son-phat", "xd-tan-phong", "xd-lam-son"], wards_vary=True,
      titles=["Thợ ốp lát gạch", "Thợ trát, ốp lát hoàn thiện", "Thợ cán nền, lát sàn"],
      tasks=["ốp gạch tường nhà vệ sinh, bếp", "lát nền gạch 60x60, 80x80", "cán nền, trát tường phẳng",
             "hoàn thiện chân tường, ron gạch"],
      reqs=["có kinh nghiệm ốp lát", "làm cẩn thận, đều tay"],
      req=["tiling"], req_pool=(["plastering", "floor_screeding"], 1, 1), pref_pool=(["wall_putty", "stone_masonry"], 1, 1),
      pay=[(D_, 400_000, 500_000), (M, 10_000_000, 14_000_000)], emp={"full_time": 1, "day_labour": 2},
      benefits=["meals", "advance_pay"], openings=(1, 4)),
    T(key="rebar_formwork", sector="construction", n=4, occ="7114", role="thợ cốp pha, cốt thép",
      partners=["xd-sam-son-phat", "xd-lam-son", "xd-tan-phong"], wards_vary=True,
      titles=["Thợ cốp pha – cốt thép", "Thợ sắt xây dựng", "Thợ cốp pha nhôm"],
      tasks=["cắt, uốn, buộc thép dầm sàn theo bản vẽ", "lắp dựng, tháo dỡ cốp pha", "kiểm tra cốt thép trước khi đổ bê tông"],
      reqs=["có kinh nghiệm ít nhất 6 tháng", "không sợ làm trên cao"],
      req=["rebar_fixing", "formwork"], pref_pool=(["construction_drawings", "construction_safety", "scaffolding"], 1, 2),
      pay=[(D_, 350_000, 450_000)], emp={"day_labour": 1, "full_time": 1}, benefits=["meals", "insurance"],
      openings=(2, 8), lic=[(0.4, ["work_at_height"])]),
    T(key="painter", sector="construction", n=3, occ="7131", role="thợ sơn bả",
      partners=["xd-sam-son-phat", "xd-lam-son"], wards_vary=True,
      titles=["Thợ sơn bả", "Thợ sơn nhà, sơn khách sạn", "Thợ sơn chống thấm"],
      tasks=["bả matít, chà nhám tường", "sơn lót, sơn phủ trong và ngoài nhà", "xử lý chống thấm sân thượng, nhà vệ sinh"],
      reqs=["biết sơn bả, ưu tiên người làm được trên giàn giáo"],
      req=["painting_building"], req_pool=(["wall_putty", "waterproofing"], 1, 1), pref_pool=(["scaffolding"], 0, 1),
      pay=[(D_, 300_000, 450_000)], emp={"day_labour": 1}, benefits=["meals"], openings=(1, 4)),
    T(key="scaffolding", sector="construction", n=2, occ="7119", role="thợ giàn giáo",
      partners=["xd-lam-son", "kct-nghi-son"],
      titles=["Thợ lắp dựng giàn giáo", "Công nhân giàn giáo nhà máy"],
      tasks=["lắp dựng, tháo dỡ giàn giáo khung và giàn giáo nêm", "kiểm tra chân đế, giằng chéo trước ca làm",
             "vận chuyển vật tư giàn giáo"],
      reqs=["có chứng chỉ làm việc trên cao", "không sợ độ cao"],
      req=["scaffolding", "construction_safety"], pref_pool=(["teamwork"], 1, 1),
      pay=[(D_, 350_000, 450_000), (M, 9_000_000, 12_000_000)], benefits=["meals", "insurance", "housing"],
      lic=[(1.0, ["work_at_height"])], openings=(3, 10)),
    T(key="electrician", sector="construction", n=5, occ="7411", role="thợ điện",
      partners=["dien-nuoc-hai-dang", "xd-sam-son-phat", "kct-nghi-son"],
      titles=["Thợ điện dân dụng", "Thợ điện công trình", "Thợ điện công nghiệp nhà xưởng", "Thợ lắp điện mặt trời áp mái"],
      tasks=["đi dây, lắp ổ cắm, công tắc, đèn theo bản vẽ", "đấu nối tủ điện, aptomat", "lắp tấm pin mặt trời trên mái tôn",
             "kiểm tra, sửa chữa sự cố điện cho khách hàng"],
      reqs=["biết điện dân dụng", "có chứng chỉ an toàn điện là lợi thế"],
      req=["electrical_domestic"], req_pool=(["electrical_industrial", "solar_installation", "electrical_safety"], 1, 1),
      pref_pool=(["construction_drawings", "air_conditioning"], 1, 1),
      pay=[(M, 8_000_000, 12_000_000), (D_, 350_000, 450_000)], emp={"full_time": 3, "day_labour": 1},
      benefits=["insurance", "meals"], openings=(1, 3), lic=[(0.5, ["electrical_safety"]), (0.15, ["work_at_height"])],
      excl=(0.2, [["property"]])),
    T(key="plumber", sector="construction", n=3, occ="7126", role="thợ điện nước",
      partners=["dien-nuoc-hai-dang", "xd-tan-phong"],
      titles=["Thợ nước (cấp thoát nước)", "Thợ sửa chữa điện nước tại nhà"],
      tasks=["lắp đặt đường ống cấp thoát nước PPR, PVC", "lắp bồn nước, máy bơm, bình nóng lạnh",
             "sửa rò rỉ, thông tắc cho hộ gia đình và khách sạn"],
      reqs=["biết hàn ống PPR", "có xe máy đi lại"],
      req=["plumbing_domestic"], req_pool=(["ppr_pipe_welding", "sanitary_fixtures", "water_pump_tank"], 1, 2),
      pref_pool=(["electrical_domestic"], 0, 1),
      pay=[(M, 7_000_000, 11_000_000)], benefits=["insurance"], openings=(1, 2),
      lic=[(0.3, ["motorbike_a1"])], excl=(0.3, [["property"]])),
    # ---------------- garment and footwear (41) ----------------
    T(key="sewing", sector="garment", n=18, occ="8153", role="công nhân may",
      partners=["may-nghi-son", "may-quang-xuong", "may-hoang-hoa"],
      titles=["Công nhân may công nghiệp", "Tuyển công nhân may (nhận cả người chưa biết nghề)", "Công nhân may máy 1 kim",
              "Thợ may vắt sổ", "Công nhân may áo jacket xuất khẩu"],
      tasks=["may các công đoạn theo dây chuyền (tra cổ, may sườn, may túi)", "vận hành máy 1 kim, máy vắt sổ",
             "kiểm tra đường may của mình trước khi chuyển công đoạn", "vệ sinh, tra dầu máy may cuối ca"],
      reqs=["nam, nữ từ 18–40 tuổi", "chưa biết may được đào tạo có lương", "tay nghề cao hưởng lương sản phẩm"],
      req=["industrial_sewing"], req_pool=(["sewing_machine", "overlock_sewing"], 1, 1),
      pref_pool=(["garment_qc", "punctuality", "teamwork"], 1, 2),
      pay=[(M, 6_000_000, 10_000_000)], benefits=["insurance", "meals", "transport", "training"],
      openings=(20, 100), edu=["none", "primary", "lower_secondary"]),
    T(key="shoes", sector="garment", n=10, occ="7536", role="công nhân giày da",
      partners=["giay-bim-son"],
      titles=["Công nhân sản xuất giày", "Công nhân may mũ giày", "Công nhân gò, quét keo đế giày"],
      tasks=["may mũ giày bằng máy trụ", "quét keo, ép đế giày theo quy trình", "gò giày trên phom",
             "kiểm tra, làm sạch keo thừa trước khi đóng hộp"],
      reqs=["không cần kinh nghiệm", "có xe đưa đón tuyến Nga Sơn – Hà Trung – Bỉm Sơn"],
      req=["shoe_making"], pref_pool=(["sewing_machine", "teamwork", "punctuality"], 1, 2),
      pay=[(M, 6_000_000, 9_000_000)],
      benefits=["insurance", "meals", "transport", "training"], openings=(20, 80)),
    T(key="garment_cutting", sector="garment", n=4, occ="7532", role="công nhân cắt",
      partners=["may-nghi-son", "may-quang-xuong"],
      titles=["Công nhân cắt bàn", "Thợ cắt vải tổ cắt"],
      tasks=["trải vải, cắt theo sơ đồ bằng máy cắt đẩy tay", "đánh số, bó bán thành phẩm", "kiểm tra thông số chi tiết cắt"],
      reqs=["cẩn thận, đọc được số đo"],
      req=["garment_cutting"], pref_pool=(["pattern_making", "basic_arithmetic"], 1, 1),
      pay=[(M, 7_000_000, 10_000_000)], benefits=["insurance", "meals"], openings=(2, 6)),
    T(key="ironing", sector="garment", n=3, occ="9121", role="công nhân là",
      partners=["may-nghi-son", "may-hoang-hoa"],
      titles=["Công nhân là thành phẩm", "Công nhân ủi hơi"],
      tasks=["là hơi thành phẩm theo tiêu chuẩn khách hàng", "gấp, treo hàng chuyển sang tổ đóng gói"],
      reqs=["không cần kinh nghiệm"],
      req=["ironing"], pref_pool=(["garment_packing"], 1, 1),
      pay=[(M, 5_500_000, 8_000_000)], benefits=["insurance", "meals"], openings=(3, 10)),
    T(key="garment_qc", sector="garment", n=4, occ="7543", role="nhân viên KCS",
      partners=["may-nghi-son", "may-quang-xuong", "giay-bim-son"],
      titles=["Nhân viên KCS may mặc", "Kiểm hàng cuối chuyền"],
      tasks=["kiểm tra đường may, thông số thành phẩm", "ghi báo cáo lỗi, trả hàng sửa cho tổ may",
             "phối hợp với khách hàng khi kiểm hàng xuất"],
      reqs=["tốt nghiệp THCS trở lên", "có kinh nghiệm may là lợi thế"],
      req=["garment_qc"], req_pool=(["industrial_sewing", "vietnamese_literacy"], 1, 1), pref_pool=(["data_entry"], 0, 1),
      pay=[(M, 7_000_000, 10_000_000)], benefits=["insurance", "meals", "transport"], openings=(1, 4),
      edu=["lower_secondary"]),
    T(key="garment_packing", sector="garment", n=2, occ="9321", role="công nhân đóng gói",
      partners=["may-nghi-son", "may-quang-xuong"],
      titles=["Công nhân đóng gói hàng may", "Gấp xếp, đóng thùng thành phẩm"],
      tasks=["gấp áo, cho vào túi, dán tem mã vạch", "đóng thùng theo packing list"],
      reqs=["không cần kinh nghiệm"],
      req=["garment_packing"], pref_pool=(["picking_packing", "barcode_scanning"], 1, 1),
      pay=[(M, 5_500_000, 7_000_000)], benefits=["insurance", "meals"], openings=(5, 15)),
    # ---------------- transport (24) ----------------
    T(key="truck", sector="transport", n=7, occ="8332", role="lái xe tải",
      partners=["vt-thanh-hung", "kho-van-le-mon", "ts-hoang-phu"],
      titles=["Lái xe tải hạng C", "Tài xế xe tải chở hàng Thanh Hóa – Hà Nội", "Lái xe tải đông lạnh",
              "Tài xế xe tải 8 tấn"],
      tasks=["chở hàng theo tuyến cố định, giao nhận chứng từ", "kiểm tra xe trước mỗi chuyến",
             "bảo quản hàng đông lạnh đúng nhiệt độ", "phối hợp bốc xếp tại kho"],
      reqs=["có bằng lái xe hạng C", "có kinh nghiệm từ 1 năm", "không sử dụng rượu bia khi lái xe"],
      req=["truck_driving"], req_pool=(["safe_driving", "vehicle_daily_check"], 1, 1),
      pref_pool=(["loading_unloading", "cold_storage"], 0, 1),
      pay=[(M, 11_000_000, 15_000_000)],
      benefits=["insurance", "meals", "advance_pay"], lic=[(1.0, ["truck_c"])], openings=(1, 3),
      excl=(0.55, [["traffic"], ["traffic", "drug"]])),
    T(key="car_driver", sector="transport", n=5, occ="8322", role="lái xe",
      partners=["vt-thanh-hung", "resort-truong-le-samson", "dv-du-lich-bien-samson"],
      titles=["Lái xe ô tô 7 chỗ đưa đón khách", "Tài xế xe dịch vụ du lịch", "Lái xe đưa đón nhân viên"],
      tasks=["đón khách tại ga Thanh Hóa, sân bay Thọ Xuân", "đưa đón khách tham quan trong tỉnh", "giữ xe sạch sẽ, báo bảo dưỡng định kỳ"],
      reqs=["có bằng lái hạng B", "thông thạo đường trong tỉnh"],
      req=["car_driving"], req_pool=(["safe_driving"], 1, 1), pref_pool=(["communication", "english_tourism"], 0, 1),
      pay=[(M, 9_000_000, 13_000_000)], benefits=["insurance", "meals"],
      lic=[(1.0, ["car_b"])], openings=(1, 2), excl=(0.6, [["traffic"], ["traffic", "violent"]])),
    T(key="delivery", sector="transport", n=6, occ="8321", role="nhân viên giao hàng",
      partners=["kho-van-le-mon", "ch-tien-loi-pho-bien", "nh-song-bien-samson", "vt-thanh-hung"],
      titles=["Nhân viên giao hàng xe máy", "Shipper giao hàng trong ngày", "Nhân viên giao hàng bán thời gian"],
      tasks=["giao hàng theo đơn trên ứng dụng", "thu tiền hộ và nộp lại cuối ngày", "sắp xếp lộ trình giao hàng hợp lý"],
      reqs=["có xe máy và bằng lái A1", "dùng được điện thoại thông minh"],
      req=["motorbike_delivery", "smartphone_use"], pref_pool=(["customer_service", "safe_driving"], 1, 1),
      pay=[(M, 7_000_000, 12_000_000), (D_, 250_000, 350_000)], emp={"full_time": 2, "part_time": 1},
      benefits=["advance_pay", "insurance"], lic=[(1.0, ["motorbike_a1"])],
      openings=(2, 10), excl=(0.5, [["traffic"], ["property"], ["fraud"]])),
    T(key="electric_buggy", sector="transport", n=3, occ="8322", role="lái xe điện du lịch",
      partners=["dv-du-lich-bien-samson"],
      titles=["Lái xe điện chở khách du lịch", "Tài xế xe điện tham quan Sầm Sơn"],
      tasks=["chở khách tham quan các điểm trong thành phố", "đón khách tại khách sạn, bãi tắm", "sạc pin, vệ sinh xe cuối ca"],
      reqs=["có bằng lái hạng B", "lịch sự với khách"],
      req=["electric_buggy", "safe_driving"], pref_pool=(["tour_guide", "communication"], 1, 1),
      pay=[(M, 6_000_000, 9_000_000)], emp={"seasonal": 1, "full_time": 1},
      benefits=["insurance"], lic=[(1.0, ["car_b"])], openings=(3, 10), excl=(0.4, [["traffic"]])),
    T(key="forklift", sector="transport", n=3, occ="8344", role="lái xe nâng",
      partners=["kho-van-le-mon", "ts-lach-bang", "kct-nghi-son"],
      titles=["Lái xe nâng kho hàng", "Nhân viên lái xe nâng"],
      tasks=["nâng hạ, sắp xếp pallet trong kho", "bốc hàng lên container", "kiểm tra xe nâng đầu ca"],
      reqs=["có chứng chỉ lái xe nâng"],
      req=["forklift_operation"], pref_pool=(["inventory", "loading_unloading"], 1, 1),
      pay=[(M, 8_000_000, 11_000_000)], benefits=["insurance", "meals"],
      lic=[(1.0, ["forklift"])], openings=(1, 3), excl=(0.2, [["drug"]])),
    # ---------------- repair (27) ----------------
    T(key="motorbike_repair", sector="repair", n=12, occ="7231", role="thợ sửa xe máy",
      partners=["sua-xe-hung-sam-son", "sua-xe-thang-tan-phong", "dv-du-lich-bien-samson"],
      titles=["Thợ sửa xe máy", "Thợ sửa xe máy (nhận học việc)", "Thợ bảo dưỡng xe máy, xe điện",
              "Thợ sửa xe máy phun xăng điện tử"],
      tasks=["thay dầu, bảo dưỡng định kỳ xe số và xe ga", "sửa phanh, côn, bugi, bình điện", "vá, thay lốp xe",
             "đọc lỗi xe phun xăng điện tử", "sửa xe máy điện cho thuê của khách du lịch"],
      reqs=["biết sửa xe cơ bản hoặc muốn học nghề", "thật thà, cẩn thận"],
      req=["motorbike_repair"], req_pool=(["tyre_repair", "motorbike_fuel_injection", "ebike_repair"], 0, 1),
      pref_pool=(["engine_repair", "customer_service"], 1, 1),
      pay=[(M, 6_000_000, 10_000_000)], emp={"full_time": 3, "apprenticeship": 2},
      benefits=["meals", "training"], openings=(1, 2), excl=(0.1, [["property"]])),
    T(key="car_repair", sector="repair", n=6, occ="7231", role="thợ sửa ô tô",
      partners=["gara-oto-dong-ve", "vt-thanh-hung"],
      titles=["Thợ sửa chữa ô tô", "Thợ máy gầm ô tô", "Thợ điện ô tô", "Thợ bảo dưỡng ô tô"],
      tasks=["bảo dưỡng định kỳ: thay dầu, lọc, má phanh", "sửa chữa máy, gầm, hệ thống treo",
             "chẩn đoán lỗi bằng máy đọc lỗi", "kiểm tra, sửa hệ thống điện và điều hòa ô tô"],
      reqs=["có tay nghề từ 1 năm hoặc đã học nghề", "có bằng lái B là lợi thế"],
      req=["car_repair"], req_pool=(["car_maintenance", "auto_electrical", "engine_repair"], 1, 1),
      pref_pool=(["car_body_painting", "car_driving"], 0, 1),
      pay=[(M, 8_000_000, 13_000_000)], emp={"full_time": 3, "apprenticeship": 1}, benefits=["insurance", "meals"],
      openings=(1, 3)),
    T(key="phone_repair", sector="repair", n=5, occ="7422", role="kỹ thuật viên sửa điện thoại",
      partners=["dt-minh-khoa-sam-son"],
      titles=["Kỹ thuật sửa điện thoại", "Thợ sửa điện thoại học việc", "Nhân viên kỹ thuật điện thoại – máy tính"],
      tasks=["thay màn hình, pin, chân sạc", "cài đặt phần mềm, chuyển dữ liệu cho khách", "tư vấn, bán phụ kiện"],
      reqs=["biết sửa cơ bản hoặc muốn học", "trung thực"],
      req=["phone_repair"], req_pool=(["smartphone_use", "computer_repair"], 0, 1),
      pref_pool=(["sales", "customer_service"], 1, 1),
      pay=[(M, 6_000_000, 10_000_000)], emp={"full_time": 1, "apprenticeship": 1},
      benefits=["meals", "training"], openings=(1, 1), excl=(0.4, [["property"], ["fraud"]])),
    T(key="marine_engine_repair", sector="repair", n=4, occ="7233", role="thợ sửa máy tàu",
      partners=["dong-tau-lach-hoi", "htx-nghe-ca-hai-thanh"],
      titles=["Thợ sửa máy tàu cá", "Thợ máy thủy tại xưởng"],
      tasks=["tháo lắp, đại tu máy tàu Yanmar, Mitsubishi", "thay bạc, xéc măng, căn chỉnh trục chân vịt",
             "chạy thử máy sau sửa chữa"],
      reqs=["có kinh nghiệm sửa máy tàu hoặc máy ô tô"],
      req=["marine_engine_repair"], req_pool=(["engine_repair", "boat_engine"], 1, 1),
      pref_pool=(["welding_smaw", "lathe_operation"], 0, 1),
      pay=[(M, 9_000_000, 14_000_000)], benefits=["meals", "insurance"], openings=(1, 2)),
    # ---------------- farming and sedge (20) ----------------
    T(key="vegetables", sector="farming", n=5, occ="6111", role="công nhân trồng rau",
      partners=["htx-nn-quang-minh"],
      titles=["Công nhân trồng rau an toàn", "Lao động nông nghiệp thời vụ", "Công nhân nhà màng rau sạch"],
      tasks=["làm đất, gieo hạt, trồng cây con", "tưới nước, bón phân, làm cỏ", "thu hoạch, sơ chế và đóng gói rau giao khách sạn"],
      reqs=["không cần kinh nghiệm"],
      req=["vegetable_growing"], req_pool=(["organic_greenhouse", "farm_labour"], 0, 1),
      pref_pool=(["pesticide_safety", "picking_packing"], 1, 1),
      pay=[(M, 5_000_000, 7_000_000), (D_, 250_000, 300_000)], emp={"full_time": 1, "seasonal": 1, "day_labour": 1},
      benefits=["meals"], openings=(2, 8)),
    T(key="livestock", sector="farming", n=6, occ="6121", role="công nhân chăn nuôi",
      partners=["trang-trai-dong-tien"],
      titles=["Công nhân chăn nuôi lợn", "Công nhân trại gà", "Công nhân chăn nuôi bò"],
      tasks=["cho ăn, vệ sinh chuồng trại hằng ngày", "theo dõi sức khỏe vật nuôi, báo kỹ thuật khi có dấu hiệu bệnh",
             "tiêm phòng theo lịch", "xử lý chất thải qua bể biogas"],
      reqs=["ở lại trại được", "không cần kinh nghiệm"],
      req=["pig_raising"], req_pool=(["poultry", "cattle_raising"], 0, 1), pref_pool=(["vet_basics"], 1, 1),
      pay=[(M, 6_000_000, 9_000_000)], benefits=["housing", "meals"],
      openings=(1, 4)),
    T(key="mushroom", sector="farming", n=3, occ="6113", role="công nhân trồng nấm",
      partners=["nam-sach-dong-hoa"],
      titles=["Công nhân trồng nấm", "Công nhân làm nấm rơm, nấm sò"],
      tasks=["ủ rơm, đóng bịch phôi nấm", "tưới ẩm, thu hái nấm mỗi sáng", "phân loại, đóng hộp nấm tươi"],
      reqs=["cẩn thận, sạch sẽ"],
      req=["mushroom_growing"], pref_pool=(["farm_labour", "picking_packing"], 1, 1),
      pay=[(M, 5_000_000, 7_000_000)], benefits=["meals", "training"], openings=(2, 5)),
    T(key="fruit_trees", sector="farming", n=2, occ="6112", role="công nhân chăm sóc vườn cây",
      partners=["htx-nn-quang-minh", "trang-trai-dong-tien"],
      titles=["Công nhân chăm sóc vườn cây ăn quả", "Lao động thu hoạch ổi, bưởi"],
      tasks=["cắt tỉa cành, bón phân, phun thuốc theo hướng dẫn", "bao trái, thu hoạch và phân loại quả"],
      reqs=["không cần kinh nghiệm"],
      req=["fruit_trees"], pref_pool=(["pesticide_safety", "farm_labour"], 1, 1),
      pay=[(D_, 250_000, 300_000)], emp={"seasonal": 1, "day_labour": 1}, benefits=["meals"], openings=(2, 6)),
    T(key="sedge", sector="farming", n=4, occ="7318", role="thợ dệt chiếu cói",
      partners=["htx-coi-nga-son"],
      titles=["Thợ dệt chiếu cói", "Công nhân đan hàng cói mỹ nghệ xuất khẩu", "Lao động thu hoạch, phơi cói"],
      tasks=["chẻ cói, nhuộm và phơi sợi cói", "dệt chiếu trên khung máy", "đan túi, giỏ, thảm cói theo mẫu",
             "thu hoạch, phơi cói trên cánh đồng ven biển"],
      reqs=["khéo tay", "được dạy nghề miễn phí"],
      req=["sedge_mat_weaving"], req_pool=(["sedge_handicraft"], 0, 1),
      pref_pool=(["bamboo_rattan_weaving", "farm_labour"], 0, 1),
      pay=[(M, 5_000_000, 7_000_000), (D_, 250_000, 300_000)], emp={"full_time": 1, "part_time": 1, "seasonal": 1},
      benefits=["training"], openings=(5, 20)),
    # ---------------- services (31) ----------------
    T(key="canteen_cook", sector="services", n=2, occ="5120", role="nhân viên nấu ăn bếp tập thể",
      partners=["may-nghi-son", "giay-bim-son"],
      titles=["Nhân viên nấu ăn bếp ăn công nghiệp", "Cấp dưỡng bếp ăn ca"],
      tasks=["nấu cơm ca cho 300–500 công nhân", "sơ chế rau, thịt, cá từ 5h sáng", "chia suất ăn, vệ sinh nhà ăn",
             "lưu mẫu thức ăn 24 giờ theo quy định"],
      reqs=["có giấy khám sức khỏe", "sạch sẽ, nhanh tay"],
      req=["canteen_cooking"], req_pool=(["food_safety", "kitchen_helper"], 1, 1), pref_pool=(["vietnamese_cuisine"], 1, 1),
      pay=[(M, 6_000_000, 8_000_000)], benefits=["meals", "insurance"], openings=(2, 4),
      lic=[(0.5, ["food_safety"])]),
    T(key="security", sector="services", n=9, occ="5414", role="nhân viên bảo vệ",
      partners=["bv-an-phat", "resort-truong-le-samson", "kct-nghi-son"],
      titles=["Nhân viên bảo vệ", "Bảo vệ ca đêm", "Nhân viên bảo vệ – tuần tra", "Bảo vệ cổng, trực camera"],
      tasks=["trực cổng, kiểm soát người và phương tiện ra vào", "tuần tra khu vực theo giờ, ghi sổ giao ca",
             "theo dõi camera an ninh", "hỗ trợ khách, hướng dẫn đỗ xe", "xử lý ban đầu khi có cháy nổ"],
      reqs=["từ 20–50 tuổi", "cao từ 1m65, sức khỏe tốt", "có chứng chỉ nghiệp vụ bảo vệ hoặc được đào tạo"],
      req=["security_guard"], req_pool=(["patrol", "cctv_monitoring", "fire_safety"], 1, 2),
      pref_pool=(["first_aid", "communication"], 0, 1),
      pay=[(M, 5_500_000, 8_000_000)], benefits=["insurance", "meals"],
      lic=[(0.6, ["security_guard"])], openings=(2, 10),
      excl=(1.0, [["property", "violent"], ["property"], ["property", "violent", "drug"]])),
    T(key="cleaning", sector="services", n=8, occ="9112", role="nhân viên vệ sinh",
      partners=["vs-sach-xanh", "resort-truong-le-samson"], wards_vary=True,
      titles=["Nhân viên vệ sinh công nghiệp", "Tạp vụ văn phòng", "Nhân viên vệ sinh tòa nhà, khách sạn",
              "Nhân viên vệ sinh ca chiều"],
      tasks=["lau sàn, lau kính, vệ sinh nhà vệ sinh", "thu gom rác, phân loại rác tái chế", "chà sàn bằng máy",
             "vệ sinh sau xây dựng cho công trình mới bàn giao"],
      reqs=["không cần kinh nghiệm"],
      req=["industrial_cleaning"], req_pool=(["office_cleaning", "waste_sorting", "window_cleaning"], 0, 1),
      pref_pool=(["occupational_safety", "punctuality"], 1, 1),
      pay=[(M, 5_000_000, 7_000_000), (H, 25_000, 30_000)], emp={"full_time": 2, "part_time": 1},
      benefits=["insurance", "advance_pay"], openings=(2, 12)),
    T(key="retail", sector="services", n=6, occ="5223", role="nhân viên bán hàng",
      partners=["ch-tien-loi-pho-bien", "hs-kho-quang-tien"],
      titles=["Nhân viên bán hàng", "Thu ngân ca tối", "Nhân viên bán hàng mùa du lịch",
              "Nhân viên bán hàng kiêm thu ngân"],
      tasks=["tư vấn, bán hàng cho khách du lịch", "tính tiền, thanh toán chuyển khoản và quẹt thẻ",
             "xếp hàng lên kệ, kiểm hạn sử dụng", "bán hàng online qua Facebook, Zalo của cửa hàng"],
      reqs=["từ 18 tuổi", "biết dùng điện thoại thông minh"],
      req=["sales"], req_pool=(["cashier", "customer_service"], 1, 1),
      pref_pool=(["online_sales", "merchandising", "english_tourism"], 1, 1),
      pay=[(M, 5_500_000, 8_000_000), (H, 25_000, 30_000)], emp={"full_time": 2, "part_time": 1, "seasonal": 1},
      benefits=["insurance", "meals"], openings=(1, 4),
      excl=(0.3, [["property"], ["fraud"], ["property", "fraud"]])),
    T(key="warehouse", sector="services", n=6, occ="9333", role="nhân viên kho",
      partners=["kho-van-le-mon"],
      titles=["Nhân viên kho – bốc xếp", "Nhân viên soạn hàng, đóng gói", "Thủ kho phụ", "Bốc xếp hàng ca đêm"],
      tasks=["bốc xếp hàng lên xuống xe tải", "soạn hàng theo đơn, quét mã vạch", "kiểm đếm hàng nhập, xuất",
             "sắp xếp kho gọn gàng theo khu vực"],
      reqs=["sức khỏe tốt", "biết đọc, viết và tính toán"],
      req=["loading_unloading"], req_pool=(["picking_packing", "inventory", "barcode_scanning"], 1, 1),
      pref_pool=(["forklift_operation", "teamwork"], 0, 1),
      pay=[(M, 6_500_000, 9_000_000), (H, 28_000, 35_000)],
      benefits=["insurance", "meals"], openings=(3, 12), excl=(0.2, [["property"]])),
]

# Working hours text paired with the shift codes it implies (overrides hours/shifts above).
SCHED = {
    "housekeeping": [("ca sáng 7h00–15h00, nghỉ 4 ngày/tháng", ["day"]),
                     ("chia ca 6h–14h và 14h–22h, đổi ca hằng tuần", ["rotating"]),
                     ("7h30–16h30, làm cả cuối tuần, mùa cao điểm tăng ca tính lương riêng", ["day", "weekend"])],
    "waiter": [("ca tối 16h00–22h30", ["evening"]), ("10h–14h và 17h–22h", ["day", "evening"]),
               ("thứ bảy, chủ nhật và ngày lễ, 9h–22h", ["weekend"]), ("xoay ca sáng – tối theo tuần", ["rotating"])],
    "cook": [("9h–14h và 16h30–21h30", ["day", "evening"]), ("ca chiều tối 14h–22h", ["evening"]),
             ("ca ngày 6h–15h", ["day"])],
    "kitchen_helper": [("8h–14h và 17h–21h", ["day", "evening"]), ("ca tối 15h–23h", ["evening"]),
                       ("ca sáng 6h–14h", ["day"])],
    "front_desk": [("ca 8 tiếng xoay vòng sáng – chiều – đêm", ["rotating"]),
                   ("ca đêm 22h–6h, tuần nghỉ 1 ngày", ["night"])],
    "bellman": [("ca 7h–15h hoặc 15h–23h, đổi ca theo tuần", ["rotating"]), ("ca ngày 7h–16h", ["day"])],
    "laundry": [("7h–16h, nghỉ trưa 1 tiếng", ["day"]), ("ca chiều 13h–21h", ["evening"])],
    "lifeguard": [("5h–11h và 15h–19h, làm cả cuối tuần trong mùa hè", ["day", "weekend"]),
                  ("ca 6 tiếng xoay vòng, làm cả cuối tuần", ["rotating", "weekend"])],
    "tour_boat": [("theo lịch tàu 7h–18h", ["day"]), ("theo lịch tàu 7h–18h, mùa hè làm cả cuối tuần", ["day", "weekend"])],
    "bartender": [("ca 14h–22h", ["evening"]), ("ca sáng 6h30–14h30", ["day"])],
    "hotel_maintenance": [("7h30–17h", ["day"]), ("7h30–17h, trực đêm luân phiên", ["day", "rotating"])],
    "seafood_worker": [("7h–17h, tuần nghỉ chủ nhật, vào mùa cá làm thêm giờ", ["day"]),
                       ("6h–14h hoặc 14h–22h, đổi ca theo tuần", ["rotating"]),
                       ("7h–11h và 13h–19h", ["day", "evening"])],
    "shrimp_peeling": [("ca 6h–14h, tăng ca khi có đơn hàng", ["day"]), ("6h–14h hoặc 14h–22h luân phiên", ["rotating"])],
    "fish_sauce": [("7h–11h và 13h30–17h", ["day"]), ("sáng 6h–11h, chiều 14h–17h", ["day"])],
    "cold_storage": [("ca đêm 22h–6h", ["night"]), ("xoay ca 8 tiếng", ["rotating"])],
    "seafood_grading": [("từ 4h30 sáng khi tàu về đến 12h", ["day"]), ("xoay ca theo giờ tàu về", ["rotating"])],
    "dried_seafood": [("6h–16h, nghỉ trưa", ["day"]), ("theo mùa nắng, làm từ sáng sớm, giờ giấc linh hoạt", ["flexible"])],
    "seafood_packing": [("ca 6h–14h hoặc 14h–22h", ["rotating"])],
    "deck_hand": [("chuyến biển 10–20 ngày, nghỉ 3–5 ngày giữa các chuyến", ["rotating"]),
                  ("chuyến câu mực 5–7 ngày, làm việc chủ yếu ban đêm", ["night"]),
                  ("chuyến ngắn 3–5 ngày, về cảng bán cá rồi đi tiếp", ["flexible"])],
    "boat_engine": [("theo chuyến biển 15–20 ngày, trực máy theo ca", ["rotating"])],
    "net_mending": [("7h–17h tại cảng", ["day"]), ("làm theo ngày khi tàu về", ["flexible"])],
    "aquaculture": [("làm theo ca, ở lại trại, trực quạt nước ban đêm", ["rotating"]), ("5h–11h và 15h–18h", ["day"])],
    "mason": [("7h–11h và 13h–17h", ["day"]), ("6h30–17h, nghỉ trưa 1,5 tiếng", ["day"])],
    "construction_labour": [("7h–17h, trả lương cuối tuần", ["day"])],
    "tiling": [("7h–17h", ["day"])],
    "rebar_formwork": [("7h–17h, có tăng ca khi đổ bê tông", ["day"])],
    "painter": [("7h–17h", ["day"])],
    "scaffolding": [("7h–17h, tăng ca khi cần", ["day"])],
    "electrician": [("7h30–17h", ["day"]), ("7h–16h, trực sửa chữa cuối tuần luân phiên", ["day", "weekend"])],
    "plumber": [("7h30–17h", ["day"])],
    "sewing": [("7h30–16h30, nghỉ chủ nhật", ["day"]), ("7h–17h, tăng ca tối đa 2 tiếng/ngày có tính lương", ["day"])],
    "shoes": [("7h30–16h30, làm thêm thứ bảy khi có đơn", ["day"]), ("ca 6h–14h hoặc 14h–22h", ["rotating"])],
    "garment_cutting": [("7h30–16h30", ["day"])],
    "ironing": [("7h30–16h30", ["day"])],
    "garment_qc": [("7h30–16h30", ["day"])],
    "garment_packing": [("7h30–16h30", ["day"])],
    "truck": [("theo chuyến, nghỉ 4 ngày/tháng", ["flexible"]), ("ca ngày, chạy tuyến nội tỉnh", ["day"]),
              ("chạy đêm tuyến Thanh Hóa – Hà Nội, đổi ca với lái phụ", ["night", "rotating"])],
    "car_driver": [("theo lịch điều xe, có phụ cấp ngoài giờ", ["flexible"]), ("7h–17h", ["day"])],
    "delivery": [("8h–18h, nghỉ trưa", ["day"]), ("ca sáng 6h–12h hoặc tự chọn giờ", ["flexible"])],
    "electric_buggy": [("ca 6h–14h hoặc 14h–22h", ["rotating"]), ("7h–17h, mùa hè làm cả cuối tuần", ["day", "weekend"])],
    "forklift": [("xoay ca 8 tiếng", ["rotating"])],
    "motorbike_repair": [("7h–18h, nghỉ trưa 1 tiếng", ["day"]), ("7h30–19h, nghỉ 2 ngày/tháng", ["day", "evening"])],
    "car_repair": [("7h30–17h30", ["day"])],
    "phone_repair": [("8h–21h, nghỉ 4 ngày/tháng", ["day", "evening"])],
    "marine_engine_repair": [("7h–17h, làm cả chủ nhật khi tàu cần gấp", ["day", "weekend"])],
    "vegetables": [("5h30–10h30 và 15h–18h", ["day"])],
    "livestock": [("làm theo ca, ở lại trại", ["rotating"]), ("6h–11h và 14h–17h30", ["day"])],
    "mushroom": [("6h–15h", ["day"])],
    "fruit_trees": [("6h–11h và 14h–17h", ["day"])],
    "sedge": [("7h–17h", ["day"]), ("nhận hàng về nhà làm, tự sắp xếp giờ", ["flexible"])],
    "canteen_cook": [("ca sáng 5h–13h", ["day"]), ("5h–9h và 10h–14h", ["day"])],
    "security": [("ca 12 tiếng, 2 ngày nghỉ 1", ["rotating"]), ("ca 8 tiếng xoay vòng", ["rotating"]),
                 ("ca đêm 18h–6h", ["night"]), ("ca ngày 6h–18h", ["day"])],
    "cleaning": [("6h–14h", ["day"]), ("ca chiều 14h–22h", ["evening"]), ("sáng 5h–9h, bán thời gian", ["flexible"])],
    "retail": [("ca 6h–14h hoặc 14h–22h", ["rotating"]), ("ca tối 17h–23h", ["evening"]), ("ca ngày 7h–15h", ["day"])],
    "warehouse": [("xoay ca 8 tiếng", ["rotating"]), ("ca đêm 22h–6h", ["night"])],
}


# Welding jobs are spelled out one by one: tests rely on them (occupation 7212,
# welding_smaw + MIG/TIG/drawings, some need welding_cert, one open Sầm Sơn job
# excludes property offences).
WELDING = [
    dict(p="ck-hung-cuong-sam-son", title="Thợ hàn cửa sắt, lan can (làm tại nhà khách)",
         req=["welding_smaw", "welding_mig"], pref=["iron_gate_railing", "metal_grinding"], lic=[],
         excl=["property"], pay=(M, 8_000_000, 11_000_000), emp="full_time", shifts=["day"],
         benefits=["meals", "training"], status="valid"),
    dict(p="ck-minh-phat-sam-son", title="Thợ hàn kết cấu thép nhà xưởng",
         req=["welding_smaw", "reading_technical_drawings"], pref=["metal_fabrication", "gas_cutting"],
         lic=["welding_cert"], excl=[], pay=(M, 9_000_000, 13_000_000), emp="full_time", shifts=["day"],
         benefits=["insurance", "meals"], status="valid"),
    dict(p="ck-minh-phat-sam-son", title="Thợ hàn MIG/CO2",
         req=["welding_smaw", "welding_mig"], pref=["reading_technical_drawings", "welding_safety"], lic=[],
         excl=[], pay=(M, 9_000_000, 12_000_000), emp="full_time", shifts=["day"],
         benefits=["insurance", "meals", "training"], status="valid"),
    dict(p="dong-tau-lach-hoi", title="Thợ hàn vỏ tàu cá",
         req=["welding_smaw", "welding_mig", "reading_technical_drawings"], pref=["ship_hull_steel", "gas_cutting"],
         lic=["welding_cert"], excl=[], pay=(M, 10_000_000, 14_000_000), emp="full_time", shifts=["day"],
         benefits=["insurance", "meals", "housing"], status="valid"),
    dict(p="dong-tau-lach-hoi", title="Thợ hàn TIG inox (hầm bảo quản, lan can tàu)",
         req=["welding_smaw", "welding_tig"], pref=["metal_grinding", "sheet_metal"], lic=[],
         excl=[], pay=(M, 10_000_000, 13_000_000), emp="full_time", shifts=["day"],
         benefits=["insurance", "meals"], status="valid"),
    dict(p="ck-hung-cuong-sam-son", title="Học việc hàn – có lương",
         req=["welding_smaw", "reading_technical_drawings"], pref=["gas_cutting", "iron_gate_railing"], lic=[],
         excl=[], pay=(M, 5_500_000, 7_000_000), emp="apprenticeship", shifts=["day"],
         benefits=["meals", "training"], status="valid"),
    dict(p="xd-sam-son-phat", title="Thợ hàn công trình khách sạn",
         req=["welding_smaw", "reading_technical_drawings"], pref=["steel_structure_erection", "construction_safety"],
         lic=["welding_cert", "work_at_height"], excl=[], pay=(D_, 400_000, 500_000), emp="day_labour",
         shifts=["day"], benefits=["meals", "advance_pay"], status="closed"),
    dict(p="ck-quang-luu", title="Thợ hàn MIG/MAG",
         req=["welding_smaw", "welding_mig"], pref=["metal_fabrication"], lic=[], excl=[],
         pay=(M, 9_000_000, 12_000_000), emp="full_time", shifts=["day"], benefits=["insurance", "meals"], status="valid"),
    dict(p="xd-tan-phong", title="Thợ hàn – lắp dựng nhà thép tiền chế",
         req=["welding_smaw", "welding_mig"], pref=["steel_structure_erection", "reading_technical_drawings"],
         lic=["welding_cert"], excl=[], pay=(D_, 420_000, 500_000), emp="full_time", shifts=["day"],
         benefits=["meals", "insurance"], status="valid"),
    dict(p="ck-quang-luu", title="Thợ hàn TIG inox",
         req=["welding_smaw", "welding_tig"], pref=["metal_grinding"], lic=[], excl=[],
         pay=(M, 9_000_000, 12_000_000), emp="full_time", shifts=["day"], benefits=["meals"], status="expired"),
    dict(p="kct-nghi-son", title="Thợ hàn kết cấu thép (3G) – Khu kinh tế Nghi Sơn",
         req=["welding_smaw", "welding_mig", "reading_technical_drawings"], pref=["metal_fabrication", "welding_safety"],
         lic=["welding_cert"], excl=[], pay=(M, 11_000_000, 15_000_000), emp="full_time", shifts=["day", "rotating"],
         benefits=["insurance", "meals", "housing", "transport"], status="valid"),
    dict(p="kct-nghi-son", title="Thợ hàn ống (6G) dự án nhà máy",
         req=["welding_smaw", "welding_tig", "pipe_welding"], pref=["reading_technical_drawings", "welding_safety"],
         lic=["welding_cert"], excl=[], pay=(M, 13_000_000, 15_000_000), emp="temporary", shifts=["rotating"],
         benefits=["insurance", "meals", "housing"], status="valid"),
    dict(p="kct-nghi-son", title="Thợ hàn MIG dây chuyền kết cấu",
         req=["welding_smaw", "welding_mig"], pref=["metal_grinding", "reading_technical_drawings"], lic=[],
         excl=[], pay=(M, 9_000_000, 12_000_000), emp="full_time", shifts=["rotating"],
         benefits=["insurance", "meals", "transport", "training"], status="valid"),
    dict(p="xd-lam-son", title="Thợ hàn, cắt kết cấu thép công trình",
         req=["welding_smaw", "reading_technical_drawings"], pref=["gas_cutting", "plasma_cutting"], lic=[],
         excl=[], pay=(M, 9_000_000, 12_000_000), emp="full_time", shifts=["day"],
         benefits=["insurance", "meals"], status="valid"),
]
WELD_TASK = {
    "welding_smaw": "hàn que các mối hàn góc, hàn giáp mối tấm thép",
    "welding_mig": "hàn MIG/CO2 khung, dầm và bản mã",
    "welding_tig": "hàn inox mỏng bằng máy TIG, đảm bảo mối hàn đẹp, không rỗ",
    "reading_technical_drawings": "đọc bản vẽ, lấy dấu và cắt phôi đúng kích thước",
    "gas_cutting": "cắt phôi, cắt sửa bằng cắt hơi",
    "plasma_cutting": "cắt thép tấm bằng máy cắt plasma",
    "metal_grinding": "mài, làm sạch mối hàn trước khi sơn",
    "iron_gate_railing": "làm và lắp đặt cửa sắt, lan can, mái che tại nhà khách hàng",
    "ship_hull_steel": "hàn tôn vỏ, sườn và boong tàu cá vỏ thép",
    "pipe_welding": "hàn ống áp lực theo quy trình hàn (WPS) của dự án",
    "steel_structure_erection": "lắp dựng khung kèo, xà gồ nhà thép tiền chế",
    "metal_fabrication": "gia công dầm, cột, khung kết cấu thép theo bản vẽ",
    "sheet_metal": "gò, hàn tôn inox làm hầm bảo quản",
    "welding_safety": "tuân thủ quy định an toàn hàn cắt, phòng cháy",
    "construction_safety": "làm việc trên cao có dây an toàn",
}
WELD_REQ = {
    "welding_smaw": "có tay nghề hàn que (hàn điện)",
    "welding_mig": "biết hàn MIG/MAG",
    "welding_tig": "biết hàn TIG",
    "pipe_welding": "đã từng hàn ống",
    "reading_technical_drawings": "đọc được bản vẽ kỹ thuật",
    "welding_cert": "có chứng chỉ thợ hàn (3G trở lên)",
    "work_at_height": "có chứng chỉ làm việc trên cao",
}
WELD_TEXT = dict(
    role="thợ hàn",
    hours=["7h–11h30 và 13h–17h, nghỉ chủ nhật", "7h30–17h, tăng ca có tính lương 150%", "ca 8 tiếng, xoay ca theo tuần"],
)

# ---------------------------------------------------------------------------
# Courses. c = cost_vnd, f = funding, w = duration_weeks, lvl = course level.
# ---------------------------------------------------------------------------
def C(**kw):
    return kw


COURSES = [
    # welding (hard requirements: >=3 teach MIG/TIG + drawings, one free/state-supported in Sầm Sơn/TP Thanh Hóa)
    C(p="gdnn-sam-son", t="Hàn điện cơ bản và nâng cao (hàn que, MIG/MAG, TIG)", occ="7212",
      sk=["welding_smaw", "welding_mig", "welding_tig", "reading_technical_drawings", "welding_safety"],
      lvl="so_cap", w=12, c=0, f="free", sched="Sáng thứ 2 – thứ 6, 7h30–11h30", seats=20,
      cert="Chứng chỉ sơ cấp nghề Hàn",
      d="Khóa học dành cho lao động ở Sầm Sơn, ưu tiên người đã chấp hành xong án phạt tù và người đã học hàn que "
        "trong trại muốn nâng lên hàn MIG/MAG, TIG. 70% thời gian thực hành tại xưởng; cuối khóa giới thiệu việc làm "
        "tại các xưởng cơ khí, đóng tàu Lạch Hới."),
    C(p="cd-ky-thuat-xu-thanh", t="Sơ cấp nghề Hàn: hàn MIG/MAG và đọc bản vẽ kết cấu", occ="7212",
      sk=["welding_mig", "reading_technical_drawings", "metal_fabrication", "welding_smaw"],
      lvl="so_cap", w=16, c=1_500_000, f="state_supported", sched="Thứ 2 – thứ 7, ca chiều 13h30–17h", seats=30,
      cert="Chứng chỉ sơ cấp nghề Hàn",
      d="Học hàn MIG/MAG các tư thế 1G–3G, đọc bản vẽ kết cấu thép, lấy dấu, cắt phôi. Học phí được Nhà nước hỗ trợ theo "
        "chính sách đào tạo nghề cho lao động nông thôn; học viên chỉ đóng phần vật tư."),
    C(p="gdnn-nghi-son", t="Hàn TIG inox và hàn ống", occ="7212",
      sk=["welding_tig", "pipe_welding", "reading_technical_drawings", "welding_safety"],
      lvl="short_course", w=10, c=6_500_000, f="paid", sched="Tối thứ 2 – thứ 6, 18h–21h", seats=15,
      cert="Giấy chứng nhận hoàn thành khóa học hàn TIG",
      d="Dành cho thợ đã biết hàn que muốn làm việc tại các nhà máy trong Khu kinh tế Nghi Sơn. Thực hành hàn ống "
        "thép carbon và inox, luyện thi tay nghề 6G."),
    C(p="gdnn-quang-xuong", t="Hàn kết cấu thép và cắt hơi", occ="7212",
      sk=["welding_smaw", "welding_mig", "gas_cutting", "reading_technical_drawings", "metal_fabrication"],
      lvl="so_cap", w=12, c=800_000, f="state_supported", sched="Sáng thứ 2 – thứ 6", seats=20,
      cert="Chứng chỉ sơ cấp nghề Hàn",
      d="Hàn que, hàn MIG khung kèo, cửa sắt; cắt hơi, cắt plasma; đọc bản vẽ gia công. Học viên được hỗ trợ tiền ăn "
        "30.000 đồng/ngày thực học."),
    C(p="dong-tau-lach-hoi", t="Học việc hàn vỏ tàu tại xưởng (kèm cặp 1 thầy 3 trò)", occ="7212",
      sk=["welding_smaw", "welding_mig", "ship_hull_steel", "reading_technical_drawings"],
      lvl=None, w=24, c=0, f="free", sched="Giờ hành chính tại xưởng, thứ 2 – thứ 7", seats=6,
      cert="Giấy xác nhận tay nghề của xưởng",
      d="Vừa học vừa làm tại xưởng đóng sửa tàu Lạch Hới; từ tháng thứ 2 có phụ cấp 3.000.000 đồng/tháng. Hết khóa, "
        "học viên đạt yêu cầu được ký hợp đồng lao động."),
    C(p="cd-ky-thuat-xu-thanh", t="Luyện thi chứng chỉ thợ hàn 3G/4G", occ="7212",
      sk=["welding_smaw", "welding_mig", "welding_tig", "reading_technical_drawings"],
      lvl="short_course", w=6, c=4_500_000, f="paid", sched="Thứ 7 và chủ nhật, cả ngày", seats=12,
      cert="Chứng chỉ thợ hàn theo tiêu chuẩn AWS D1.1 (thi tại trường)",
      d="Ôn luyện và thi tay nghề hàn tấm tư thế đứng, ngang trần. Phí đã gồm vật tư, phí thi và kiểm tra mẫu."),
    # cooking and hospitality
    C(p="dnxh-bep-co-hoi", t="Bếp Việt – khóa nấu ăn cho người bắt đầu lại", occ="5120",
      sk=["vietnamese_cuisine", "kitchen_helper", "food_safety", "seafood_cooking"],
      lvl="short_course", w=10, c=0, f="free", sched="Thứ 2 – thứ 6, 8h–14h tại bếp nhà hàng", seats=12,
      cert="Giấy chứng nhận của Doanh nghiệp xã hội Bếp Cơ Hội",
      d="Học nấu các món Việt và món hải sản Sầm Sơn trong bếp thật. Học viên được ăn trưa, hỗ trợ đi lại và được giới "
        "thiệu việc làm ở các nhà hàng đối tác sau khóa học."),
    C(p="gdnn-sam-son", t="Kỹ thuật chế biến món ăn", occ="5120",
      sk=["vietnamese_cuisine", "seafood_cooking", "food_safety"],
      lvl="so_cap", w=12, c=500_000, f="state_supported", sched="Chiều thứ 2, 4, 6 và sáng thứ 7", seats=25,
      cert="Chứng chỉ sơ cấp Kỹ thuật chế biến món ăn",
      d="Chương trình sơ cấp nghề nấu ăn: món Việt, món hải sản, cỗ truyền thống xứ Thanh, tính định lượng và giá "
        "thành món ăn."),
    C(p="gdnn-sam-son", t="Nghiệp vụ buồng phòng khách sạn", occ="9112",
      sk=["housekeeping", "laundry", "communication"], lvl="short_course", w=6, c=300_000, f="state_supported",
      sched="Sáng thứ 2 – thứ 6", seats=30, cert="Chứng chỉ nghiệp vụ buồng",
      d="Học làm phòng theo chuẩn khách sạn 3 sao: trải ga, vệ sinh phòng tắm, xử lý đồ khách để quên. Thực tập 2 tuần "
        "tại khách sạn ở Sầm Sơn trước mùa du lịch."),
    C(p="cd-ky-thuat-xu-thanh", t="Nghiệp vụ lễ tân khách sạn", occ="4224",
      sk=["front_desk", "english_tourism", "computer_basics", "customer_service"], lvl="short_course", w=10,
      c=3_500_000, f="paid", sched="Tối thứ 2 – thứ 5, 18h–20h30", seats=25,
      cert="Chứng chỉ nghiệp vụ lễ tân", min_edu="upper_secondary",
      d="Quy trình đặt phòng, nhận và trả phòng, phần mềm quản lý khách sạn, giao tiếp tiếng Anh với khách."),
    C(p="dnxh-bep-co-hoi", t="Pha chế đồ uống và cà phê", occ="5132",
      sk=["bartending", "barista", "food_safety"], lvl="short_course", w=6, c=2_500_000, f="paid",
      sched="Sáng thứ 3, 5, 7", seats=10, cert="Giấy chứng nhận pha chế",
      d="Pha cà phê phin, cà phê máy, nước ép, sinh tố và cocktail cơ bản. Người hoàn lương được giảm 50% học phí."),
    C(p="gdnn-sam-son", t="Tiếng Anh giao tiếp cho nhân viên du lịch", occ=None,
      sk=["english_tourism", "communication"], lvl="short_course", w=8, c=0, f="free", sched="Tối thứ 3, 5, 19h–21h",
      seats=30, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Các mẫu câu chào hỏi, chỉ đường, giới thiệu món ăn, xử lý phàn nàn. Học theo tình huống ở khách sạn, nhà hàng."),
    C(p="gdnn-sam-son", t="Phục vụ nhà hàng, tiệc cưới và hội nghị", occ="5131",
      sk=["waiter", "banquet_service", "communication"], lvl="short_course", w=4, c=300_000, f="state_supported",
      sched="Chiều thứ 2 – thứ 6", seats=30, cert="Chứng chỉ nghiệp vụ bàn",
      d="Kỹ năng bưng bê, set up bàn tiệc, phục vụ theo món và tự chọn, giao tiếp với khách."),
    C(p="dv-du-lich-bien-samson", t="Cứu hộ bãi biển và sơ cấp cứu đuối nước", occ="5419",
      sk=["lifeguard", "first_aid", "sea_safety"], lvl="short_course", w=3, c=1_800_000, f="paid",
      sched="Sáng sớm 5h30–8h30 hằng ngày trên bãi biển", seats=20, cert="Chứng chỉ cứu hộ bãi biển",
      d="Kỹ thuật bơi cứu hộ, dùng phao, ca nô, hô hấp nhân tạo. Học viên đạt yêu cầu được ưu tiên tuyển làm cứu hộ "
        "mùa hè 2027."),
    C(p="gdnn-hau-loc", t="Làm bánh mì và bánh ngọt", occ="7512",
      sk=["baking", "food_safety"], lvl="short_course", w=8, c=3_000_000, f="paid", sched="Sáng thứ 2, 4, 6", seats=15,
      cert="Giấy chứng nhận làm bánh",
      d="Nhồi bột, ủ, nướng bánh mì Việt Nam, bánh bông lan, bánh kem cơ bản; tính giá thành để mở tiệm nhỏ."),
    C(p="gdnn-quang-xuong", t="An toàn thực phẩm cho người chế biến và kinh doanh ăn uống", occ=None,
      sk=["food_safety", "haccp_hygiene"], lvl="short_course", w=2, c=400_000, f="paid", sched="Thứ 7 và chủ nhật",
      seats=40, cert="Giấy xác nhận kiến thức an toàn thực phẩm",
      d="Kiến thức bắt buộc cho người làm bếp, quán ăn và cơ sở chế biến thủy sản; có kiểm tra cuối khóa."),
    C(p="gdnn-nghi-son", t="Nấu ăn tập thể cho bếp ăn công nghiệp", occ="5120",
      sk=["canteen_cooking", "vietnamese_cuisine", "food_safety"], lvl="short_course", w=6, c=0, f="free",
      sched="Sáng thứ 2 – thứ 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Nấu suất ăn công nhân 200–1.000 suất, lên thực đơn tuần, bảo quản thực phẩm. Hợp tác với các bếp ăn "
        "trong Khu kinh tế Nghi Sơn để giới thiệu việc làm."),
    # motorbike and car repair
    C(p="sua-xe-hung-sam-son", t="Học việc sửa xe máy tại tiệm", occ="7231",
      sk=["motorbike_repair", "tyre_repair", "customer_service"], lvl=None, w=24, c=0, f="free",
      sched="Cả ngày tại tiệm, nghỉ 2 ngày/tháng", seats=2, cert="Không cấp chứng chỉ; giới thiệu việc làm",
      d="Học việc trực tiếp với thợ cả 20 năm kinh nghiệm, bao ăn trưa, có phụ cấp từ tháng thứ 3. Tiệm từng nhận "
        "nhiều học trò mới ra trại."),
    C(p="gdnn-quang-xuong", t="Sửa chữa xe máy", occ="7231",
      sk=["motorbike_repair", "motorbike_fuel_injection", "ebike_repair", "engine_repair"], lvl="so_cap", w=12,
      c=600_000, f="state_supported", sched="Sáng thứ 2 – thứ 6", seats=25, cert="Chứng chỉ sơ cấp nghề Sửa chữa xe máy",
      d="Bảo dưỡng, sửa chữa động cơ xe số, xe ga, xe phun xăng điện tử và xe máy điện. Học viên tự mở tiệm được "
        "hướng dẫn vay vốn ưu đãi."),
    C(p="cd-ky-thuat-xu-thanh", t="Bảo dưỡng và sửa chữa ô tô", occ="7231",
      sk=["car_repair", "car_maintenance", "auto_electrical", "engine_repair"], lvl="so_cap", w=26, c=9_500_000,
      f="paid", sched="Thứ 2 – thứ 6, ca sáng", seats=24, cert="Chứng chỉ sơ cấp nghề Công nghệ ô tô",
      d="Học trên xe và mô hình động cơ thật: bảo dưỡng định kỳ, sửa gầm, phanh, điện ô tô, dùng máy chẩn đoán."),
    C(p="cd-ky-thuat-xu-thanh", t="Điện ô tô cơ bản", occ="7412",
      sk=["auto_electrical", "car_repair"], lvl="short_course", w=8, c=4_500_000, f="paid",
      sched="Tối thứ 2, 4, 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Hệ thống khởi động, sạc, chiếu sáng, điều hòa ô tô; đọc sơ đồ điện."),
    C(p="gdnn-nghi-son", t="Sửa chữa máy nông nghiệp và máy nổ nhỏ", occ="7233",
      sk=["agri_machinery_repair", "small_engine_repair"], lvl="short_course", w=10, c=500_000, f="state_supported",
      sched="Sáng thứ 2 – thứ 6", seats=20, cert="Chứng chỉ sơ cấp nghề",
      d="Sửa máy cày, máy gặt, máy bơm, máy phát điện thường dùng ở nông thôn Thanh Hóa."),
    # sewing and footwear
    C(p="may-nghi-son", t="Đào tạo công nhân may công nghiệp (có lương học việc)", occ="8153",
      sk=["industrial_sewing", "sewing_machine", "overlock_sewing"], lvl="short_course", w=4, c=0, f="free",
      sched="Giờ hành chính tại xưởng", seats=40, cert="Giấy xác nhận tay nghề",
      d="Học may tại xưởng của công ty, được trả 4.000.000 đồng trong tháng học việc; đạt yêu cầu được ký hợp đồng ngay."),
    C(p="gdnn-quang-xuong", t="May công nghiệp", occ="8153",
      sk=["industrial_sewing", "sewing_machine", "garment_qc"], lvl="so_cap", w=12, c=400_000, f="state_supported",
      sched="Sáng thứ 2 – thứ 6", seats=35, cert="Chứng chỉ sơ cấp nghề May công nghiệp",
      d="Vận hành máy 1 kim, máy vắt sổ, may áo sơ mi, quần âu theo dây chuyền; kiểm tra chất lượng đường may."),
    C(p="gdnn-hau-loc", t="May dân dụng (may đo quần áo)", occ="7531",
      sk=["tailoring", "sewing_machine", "pattern_making"], lvl="so_cap", w=12, c=2_800_000, f="paid",
      sched="Chiều thứ 2 – thứ 6", seats=20, cert="Chứng chỉ sơ cấp nghề May dân dụng",
      d="Lấy số đo, cắt và may quần âu, áo sơ mi, áo dài; sửa quần áo. Phù hợp để mở tiệm may tại nhà."),
    C(p="giay-bim-son", t="Học nghề sản xuất giày tại xưởng", occ="7536",
      sk=["shoe_making", "sewing_machine"], lvl="short_course", w=4, c=0, f="free",
      sched="Giờ hành chính tại nhà máy", seats=60, cert="Giấy xác nhận tay nghề",
      d="May mũ giày, quét keo, gò đế. Có xe đưa đón và bữa ăn ca trong thời gian học."),
    C(p="cd-ky-thuat-xu-thanh", t="Thiết kế rập và cắt may công nghiệp", occ="7532",
      sk=["pattern_making", "garment_cutting"], lvl="short_course", w=10, c=5_000_000, f="paid",
      sched="Tối thứ 2 – thứ 6", seats=15, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Ra rập, nhảy size, giác sơ đồ trên máy tính và cắt bàn; dành cho người đã biết may."),
    # fishing and boat engines
    C(p="tt-nghe-ca-xu-thanh", t="Máy trưởng tàu cá hạng tư", occ="3151",
      sk=["boat_engine", "marine_engine_repair", "sea_safety"], lvl="short_course", w=8, c=1_200_000,
      f="state_supported", sched="Thứ 2 – thứ 6, vào mùa biển động", seats=30,
      cert="Chứng chỉ chuyên môn máy trưởng tàu cá hạng tư",
      d="Vận hành, bảo dưỡng máy tàu dưới 400CV, xử lý sự cố trên biển. Ngư dân được hỗ trợ học phí."),
    C(p="tt-nghe-ca-xu-thanh", t="Thuyền trưởng tàu cá hạng tư", occ="3152",
      sk=["navigation_basics", "sea_safety", "deck_hand"], lvl="short_course", w=10, c=1_500_000,
      f="state_supported", sched="Thứ 2 – thứ 6", seats=30, cert="Chứng chỉ chuyên môn thuyền trưởng tàu cá hạng tư",
      d="Điều khiển tàu, đọc hải đồ, dùng máy định vị, luật khai thác thủy sản và nhật ký khai thác."),
    C(p="gdnn-hau-loc", t="Đan, vá lưới và bảo quản cá trên tàu", occ="7318",
      sk=["net_making", "fish_handling_onboard", "sea_safety"], lvl="short_course", w=3, c=0, f="free",
      sched="Sáng thứ 2 – thứ 6 tại nhà văn hóa xã Ngư Lộc", seats=30, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Dành cho người muốn đi bạn thuyền: đan vá lưới rê, lưới kéo; ướp đá, bảo quản cá trong hầm."),
    C(p="tt-nghe-ca-xu-thanh", t="An toàn đi biển và cứu sinh", occ=None,
      sk=["sea_safety", "first_aid"], lvl="short_course", w=2, c=0, f="free", sched="Thứ 7 và chủ nhật", seats=40,
      cert="Giấy chứng nhận huấn luyện an toàn",
      d="Dùng áo phao, phao bè, pháo hiệu, sơ cứu đuối nước và tai nạn trên tàu. Bắt buộc với thuyền viên mới."),
    C(p="gdnn-hau-loc", t="Nuôi tôm thẻ chân trắng và nuôi ngao", occ="6221",
      sk=["shrimp_farming", "clam_farming"], lvl="short_course", w=8, c=300_000, f="state_supported",
      sched="Sáng thứ 3, 5, 7", seats=30, cert="Chứng chỉ sơ cấp nghề Nuôi trồng thủy sản",
      d="Cải tạo ao, chọn giống, quản lý thức ăn và môi trường nước, phòng bệnh cho tôm; kỹ thuật nuôi ngao vùng bãi triều."),
    # driving
    C(p="tt-lai-xe-ham-rong", t="Lái xe ô tô hạng B", occ="8322",
      sk=["car_driving", "safe_driving", "vehicle_daily_check"], lvl="short_course", w=11, c=11_500_000, f="paid",
      sched="Lý thuyết tối thứ 2, 4, 6; thực hành theo lịch hẹn", seats=40, cert="Giấy phép lái xe hạng B",
      d="Trọn gói học lý thuyết, mô phỏng, thực hành sa hình và đường trường, lệ phí thi."),
    C(p="tt-lai-xe-ham-rong", t="Lái xe tải hạng C", occ="8332",
      sk=["truck_driving", "safe_driving", "vehicle_daily_check"], lvl="so_cap", w=22, c=12_000_000, f="paid",
      sched="Theo lịch của trung tâm", seats=30, cert="Giấy phép lái xe hạng C",
      d="Đào tạo lái xe tải trên 3,5 tấn; có giới thiệu việc làm tại các công ty vận tải trong tỉnh."),
    C(p="kho-van-le-mon", t="Vận hành xe nâng hàng", occ="8344",
      sk=["forklift_operation", "loading_unloading"], lvl="short_course", w=2, c=2_500_000, f="paid",
      sched="Cả ngày thứ 7, chủ nhật", seats=12, cert="Chứng chỉ vận hành xe nâng",
      d="Lý thuyết an toàn và thực hành lái xe nâng điện, xe nâng dầu trong kho."),
    C(p="gdnn-sam-son", t="Giao hàng bằng xe máy an toàn và dùng ứng dụng giao hàng", occ="8321",
      sk=["motorbike_delivery", "safe_driving", "smartphone_use"], lvl="short_course", w=2, c=0, f="free",
      sched="Sáng thứ 7", seats=30, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Luật giao thông, lái xe an toàn khi chở hàng, dùng ứng dụng giao hàng và chuyển khoản."),
    # basic IT
    C(p="gdnn-sam-son", t="Tin học văn phòng cơ bản", occ="4110",
      sk=["computer_basics", "office_software"], lvl="short_course", w=8, c=200_000, f="state_supported",
      sched="Tối thứ 2, 4, 6", seats=25, cert="Chứng chỉ ứng dụng công nghệ thông tin cơ bản",
      d="Dùng máy tính, gõ tiếng Việt, Word, Excel, email. Phù hợp cho người lâu ngày chưa dùng máy tính."),
    C(p="dnxh-bep-co-hoi", t="Bán hàng online và dùng điện thoại thông minh", occ="5249",
      sk=["online_sales", "smartphone_use"], lvl="short_course", w=4, c=0, f="free", sched="Chiều thứ 7", seats=20,
      cert="Giấy chứng nhận hoàn thành khóa học",
      d="Lập trang bán hàng, chụp ảnh sản phẩm, livestream, chốt đơn và chuyển khoản an toàn, tránh lừa đảo."),
    C(p="cd-ky-thuat-xu-thanh", t="Sửa chữa điện thoại di động", occ="7422",
      sk=["phone_repair", "electronics_repair"], lvl="so_cap", w=12, c=6_000_000, f="paid",
      sched="Thứ 2 – thứ 6, ca chiều", seats=15, cert="Chứng chỉ sơ cấp nghề Sửa chữa điện thoại",
      d="Thay màn hình, pin, chân sạc, sửa lỗi nguồn, cài đặt phần mềm; thực hành trên máy thật."),
    C(p="gdnn-nghi-son", t="Tin học và nhập liệu", occ="4132",
      sk=["data_entry", "computer_basics", "office_software"], lvl="short_course", w=6, c=0, f="free",
      sched="Tối thứ 3, 5", seats=25, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Gõ phím nhanh, nhập liệu chính xác bằng Excel, quản lý file. Giới thiệu việc nhập liệu tại các doanh nghiệp "
        "Khu kinh tế Nghi Sơn."),
    # construction, electrical, plumbing
    C(p="gdnn-quang-xuong", t="Kỹ thuật xây dựng (nề hoàn thiện)", occ="7112",
      sk=["masonry_bricklaying", "plastering", "tiling", "construction_drawings"], lvl="so_cap", w=12, c=500_000,
      f="state_supported", sched="Sáng thứ 2 – thứ 7", seats=25, cert="Chứng chỉ sơ cấp nghề Kỹ thuật xây dựng",
      d="Xây tường, trát, ốp lát, đọc bản vẽ nhà ở; thực hành tại công trình thật."),
    C(p="gdnn-sam-son", t="Ốp lát và hoàn thiện công trình", occ="7122",
      sk=["tiling", "floor_screeding", "wall_putty"], lvl="short_course", w=8, c=2_500_000, f="paid",
      sched="Chiều thứ 2 – thứ 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Ốp lát gạch khổ lớn, cán nền, bả matít; học viên làm mẫu tại xưởng thực hành."),
    C(p="cd-ky-thuat-xu-thanh", t="Cốp pha – cốt thép – giàn giáo", occ="7114",
      sk=["formwork", "rebar_fixing", "scaffolding", "construction_safety"], lvl="short_course", w=10, c=800_000,
      f="state_supported", sched="Thứ 2 – thứ 6", seats=30, cert="Chứng chỉ sơ cấp nghề",
      d="Gia công, lắp dựng cốt thép và cốp pha dầm sàn, lắp dựng giàn giáo an toàn."),
    C(p="xd-sam-son-phat", t="Huấn luyện an toàn làm việc trên cao", occ=None,
      sk=["construction_safety", "scaffolding"], lvl="short_course", w=2, c=600_000, f="paid",
      sched="Thứ 7 và chủ nhật", seats=30, cert="Chứng chỉ huấn luyện an toàn lao động nhóm 3",
      d="Đeo dây an toàn, kiểm tra giàn giáo, sơ cứu tai nạn ngã cao. Công nhân của công ty được miễn phí."),
    C(p="gdnn-nghi-son", t="Sơn bả và chống thấm", occ="7131",
      sk=["painting_building", "wall_putty", "waterproofing"], lvl="short_course", w=6, c=0, f="free",
      sched="Sáng thứ 2 – thứ 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Bả, sơn nội ngoại thất, xử lý chống thấm sân thượng, nhà vệ sinh."),
    C(p="gdnn-sam-son", t="Điện dân dụng", occ="7411",
      sk=["electrical_domestic", "electrical_safety"], lvl="so_cap", w=12, c=500_000, f="state_supported",
      sched="Sáng thứ 2 – thứ 6", seats=25, cert="Chứng chỉ sơ cấp nghề Điện dân dụng",
      d="Lắp đặt điện nhà ở, sửa chữa đồ điện gia dụng, an toàn điện. Thực hành trên bảng điện và nhà mẫu."),
    C(p="cd-ky-thuat-xu-thanh", t="Điện công nghiệp", occ="7412",
      sk=["electrical_industrial", "motor_rewinding", "electrical_safety"], lvl="trung_cap", w=52, c=7_500_000,
      f="paid", sched="Thứ 2 – thứ 6", seats=35, cert="Bằng trung cấp Điện công nghiệp", min_edu="lower_secondary",
      d="Chương trình trung cấp rút gọn cho người đã tốt nghiệp THCS: tủ điện, động cơ, PLC cơ bản, an toàn điện."),
    C(p="cd-ky-thuat-xu-thanh", t="Lắp đặt điện mặt trời áp mái", occ="7411",
      sk=["solar_installation", "electrical_safety", "electrical_domestic"], lvl="short_course", w=6, c=4_000_000,
      f="paid", sched="Thứ 7 và chủ nhật", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Khảo sát mái, lắp khung, tấm pin, inverter và đấu nối lưới; làm việc an toàn trên mái."),
    C(p="gdnn-nghi-son", t="Điện lạnh – sửa chữa điều hòa, tủ lạnh", occ="7127",
      sk=["air_conditioning", "appliance_repair", "electrical_safety"], lvl="so_cap", w=12, c=5_500_000, f="paid",
      sched="Chiều thứ 2 – thứ 6", seats=20, cert="Chứng chỉ sơ cấp nghề Điện lạnh",
      d="Lắp đặt, bảo dưỡng điều hòa treo tường, nạp gas, sửa tủ lạnh, máy giặt."),
    C(p="gdnn-quang-xuong", t="Cấp thoát nước dân dụng", occ="7126",
      sk=["plumbing_domestic", "ppr_pipe_welding", "sanitary_fixtures", "water_pump_tank"], lvl="short_course", w=8,
      c=400_000, f="state_supported", sched="Sáng thứ 2 – thứ 6", seats=20, cert="Chứng chỉ sơ cấp nghề",
      d="Lắp đặt đường ống, thiết bị vệ sinh, máy bơm, bồn nước, bình nóng lạnh cho nhà ở."),
    # seafood
    C(p="ts-ngu-loc", t="Công nhân chế biến thủy sản – đào tạo tại xưởng", occ="7511",
      sk=["fish_filleting", "shrimp_peeling", "haccp_hygiene"], lvl="short_course", w=2, c=0, f="free",
      sched="Ca sáng tại nhà máy", seats=50, cert="Giấy xác nhận tay nghề",
      d="Phi lê cá, bóc tôm, vệ sinh theo HACCP. Có lương học việc 200.000 đồng/ngày và nhận vào làm ngay sau khóa."),
    C(p="gdnn-hau-loc", t="Chế biến nước mắm và mắm tép truyền thống", occ="7514",
      sk=["fish_sauce_making", "shrimp_paste_making", "food_safety"], lvl="short_course", w=6, c=300_000,
      f="state_supported", sched="Sáng thứ 2 – thứ 6", seats=25, cert="Chứng chỉ sơ cấp nghề",
      d="Ủ chượp, kéo rút nước mắm, làm mắm tép Hòa Lộc, đóng chai và ghi nhãn đúng quy định."),
    C(p="cd-ky-thuat-xu-thanh", t="Vận hành kho lạnh và máy cấp đông", occ="8160",
      sk=["cold_storage", "ice_making", "electrical_safety"], lvl="short_course", w=8, c=3_500_000, f="paid",
      sched="Tối thứ 2, 4, 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Nguyên lý máy lạnh, vận hành tủ cấp đông, kho lạnh, máy đá vảy trong nhà máy thủy sản."),
    # farming
    C(p="htx-nn-quang-minh", t="Trồng rau an toàn theo VietGAP", occ="6111",
      sk=["vegetable_growing", "pesticide_safety", "organic_greenhouse"], lvl="short_course", w=6, c=0, f="free",
      sched="Sáng sớm thứ 2, 4, 6 tại ruộng của hợp tác xã", seats=25, cert="Giấy chứng nhận tập huấn VietGAP",
      d="Làm đất, ươm cây, tưới nhỏ giọt, dùng thuốc bảo vệ thực vật an toàn; bao tiêu rau cho khách sạn Sầm Sơn."),
    C(p="gdnn-quang-xuong", t="Chăn nuôi gia cầm, lợn và thú y cơ bản", occ="6122",
      sk=["poultry", "pig_raising", "vet_basics"], lvl="short_course", w=8, c=300_000, f="state_supported",
      sched="Sáng thứ 3, 5, 7", seats=30, cert="Chứng chỉ sơ cấp nghề Chăn nuôi",
      d="Làm chuồng, chọn giống, thức ăn, tiêm phòng và phòng dịch cho gà, vịt, lợn."),
    C(p="gdnn-dong-son", t="Trồng nấm rơm, nấm sò", occ="6113",
      sk=["mushroom_growing"], lvl="short_course", w=6, c=300_000, f="state_supported", sched="Sáng thứ 2 – thứ 6",
      seats=25, cert="Chứng chỉ sơ cấp nghề Trồng nấm",
      d="Xử lý rơm, cấy giống, chăm sóc và thu hái nấm; tận dụng rơm rạ sau vụ lúa."),
    C(p="gdnn-dong-son", t="Nuôi ong lấy mật", occ="6123",
      sk=["beekeeping"], lvl="short_course", w=4, c=200_000, f="state_supported", sched="Sáng thứ 7, chủ nhật", seats=20,
      cert="Giấy chứng nhận hoàn thành khóa học", d="Chọn đàn, chia đàn, quay mật, phòng bệnh cho ong."),
    C(p="htx-nn-quang-minh", t="Làm vườn, chăm sóc cây xanh cảnh quan", occ="6113",
      sk=["gardening_landscaping", "tree_surgery", "seedling_nursery"], lvl="short_course", w=6, c=0, f="free",
      sched="Sáng thứ 3, 5", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Trồng, cắt tỉa cây cảnh, cỏ, chăm sóc cảnh quan khách sạn và công viên ven biển."),
    # crafts
    C(p="htx-coi-nga-son", t="Dệt chiếu cói và đan hàng cói mỹ nghệ", occ="7318",
      sk=["sedge_mat_weaving", "sedge_handicraft"], lvl="short_course", w=6, c=0, f="free",
      sched="Sáng thứ 2 – thứ 6 tại xưởng hợp tác xã", seats=30, cert="Giấy xác nhận tay nghề",
      d="Se cói, nhuộm, dệt chiếu Nga Sơn và đan túi, thảm cói xuất khẩu; hợp tác xã bao tiêu sản phẩm."),
    C(p="gdnn-dong-son", t="Đan lát mây tre xuất khẩu", occ="7317",
      sk=["bamboo_rattan_weaving"], lvl="short_course", w=6, c=200_000, f="state_supported", sched="Chiều thứ 2 – thứ 6",
      seats=30, cert="Chứng chỉ sơ cấp nghề", d="Chẻ nan, đan giỏ, khay, đèn mây tre theo mẫu của doanh nghiệp xuất khẩu."),
    C(p="gdnn-dong-son", t="Mộc dân dụng và đóng đồ gỗ", occ="7522",
      sk=["woodwork", "furniture_making", "wood_finishing"], lvl="so_cap", w=16, c=600_000, f="state_supported",
      sched="Sáng thứ 2 – thứ 6", seats=20, cert="Chứng chỉ sơ cấp nghề Mộc dân dụng",
      d="Dùng máy cưa, bào, phay gỗ; đóng bàn ghế, giường tủ; sơn PU hoàn thiện."),
    C(p="gdnn-dong-son", t="Chế tác đá mỹ nghệ", occ="7113",
      sk=["stone_carving"], lvl="so_cap", w=12, c=3_000_000, f="paid", sched="Sáng thứ 2 – thứ 7 tại làng nghề",
      seats=15, cert="Chứng chỉ sơ cấp nghề",
      d="Học tại xưởng đá mỹ nghệ xứ Thanh: tạo phôi, đục, mài, chạm khắc hoa văn, tượng nhỏ."),
    # personal services
    C(p="gdnn-sam-son", t="Cắt tóc nam (barber)", occ="5141",
      sk=["barber"], lvl="short_course", w=8, c=3_500_000, f="paid", sched="Chiều thứ 2 – thứ 6", seats=15,
      cert="Giấy chứng nhận hoàn thành khóa học", d="Các kiểu tóc nam phổ biến, cạo mặt, gội sấy; cách mở tiệm nhỏ."),
    C(p="gdnn-nghi-son", t="Làm tóc nữ: cắt, uốn, nhuộm", occ="5141",
      sk=["hairdressing"], lvl="short_course", w=10, c=5_000_000, f="paid", sched="Chiều thứ 2 – thứ 6", seats=15,
      cert="Giấy chứng nhận hoàn thành khóa học", d="Cắt tóc nữ cơ bản, uốn, duỗi, nhuộm, gội dưỡng."),
    C(p="gdnn-hau-loc", t="Chăm sóc người cao tuổi tại nhà", occ="5322",
      sk=["elderly_care", "first_aid"], lvl="short_course", w=4, c=0, f="free", sched="Sáng thứ 2 – thứ 6", seats=25,
      cert="Giấy chứng nhận hoàn thành khóa học",
      d="Hỗ trợ sinh hoạt, dinh dưỡng, vệ sinh cá nhân, sơ cứu cho người già, người bệnh."),
    C(p="gdnn-quang-xuong", t="Làm móng cơ bản", occ="5142",
      sk=["nail_care"], lvl="short_course", w=4, c=2_500_000, f="paid", sched="Chiều thứ 7, chủ nhật", seats=15,
      cert="Giấy chứng nhận hoàn thành khóa học", d="Cắt da, sơn gel, vẽ móng cơ bản, vệ sinh dụng cụ."),
    # security, safety, soft skills
    C(p="bv-an-phat", t="Nghiệp vụ bảo vệ", occ="5414",
      sk=["security_guard", "patrol", "cctv_monitoring", "fire_safety", "first_aid"], lvl="short_course", w=2,
      c=1_500_000, f="paid", sched="Cả ngày thứ 2 – thứ 6", seats=40, cert="Chứng chỉ nghiệp vụ bảo vệ",
      d="Pháp luật về bảo vệ, kỹ năng tuần tra, canh gác, xử lý tình huống, phòng cháy chữa cháy, sơ cứu."),
    C(p="bv-an-phat", t="Phòng cháy chữa cháy cơ sở", occ=None,
      sk=["fire_safety"], lvl="short_course", w=2, c=500_000, f="paid", sched="Thứ 7", seats=50,
      cert="Giấy chứng nhận huấn luyện PCCC", d="Sử dụng bình chữa cháy, vòi chữa cháy, thoát nạn."),
    C(p="dnxh-bep-co-hoi", t="Kỹ năng tìm việc và giữ việc cho người tái hòa nhập", occ=None,
      sk=["job_seeking", "communication", "punctuality", "money_management", "teamwork"], lvl="short_course", w=3,
      c=0, f="free", sched="Sáng thứ 3, 5", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Viết hồ sơ, trả lời phỏng vấn (kể cả khi được hỏi về quá khứ), quản lý tiền lương, giữ việc ổn định. Có "
        "tư vấn viên gặp riêng từng người."),
    C(p="gdnn-sam-son", t="Lớp xóa mù chữ và tính toán cơ bản buổi tối", occ=None,
      sk=["vietnamese_literacy", "basic_arithmetic"], lvl=None, w=24, c=0, f="free", sched="Tối thứ 2 – thứ 5, 19h–21h",
      seats=25, cert="Giấy chứng nhận hoàn thành chương trình xóa mù chữ",
      d="Học đọc, viết, làm tính để đọc hợp đồng lao động, bảng lương và biển báo an toàn."),
    C(p="gdnn-nghi-son", t="Tiếng Trung giao tiếp trong nhà máy", occ=None,
      sk=["chinese_basic", "communication"], lvl="short_course", w=12, c=2_500_000, f="paid", sched="Tối thứ 2, 4, 6",
      seats=25, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Mẫu câu thường dùng khi làm việc với chuyên gia và tổ trưởng người nước ngoài trong khu kinh tế."),
    # warehouse, cleaning, retail, vehicles
    C(p="kho-van-le-mon", t="Nghiệp vụ kho và quét mã vạch", occ="4321",
      sk=["inventory", "barcode_scanning", "picking_packing"], lvl="short_course", w=3, c=1_000_000, f="paid",
      sched="Chiều thứ 2 – thứ 6", seats=20, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Nhập xuất kho, kiểm kê, phần mềm quản lý kho, đóng gói đơn hàng thương mại điện tử."),
    C(p="vs-sach-xanh", t="Vệ sinh công nghiệp chuyên nghiệp", occ="9112",
      sk=["industrial_cleaning", "window_cleaning", "occupational_safety"], lvl="short_course", w=2, c=0, f="free",
      sched="Sáng thứ 2 – thứ 6", seats=30, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Dùng máy chà sàn, hóa chất tẩy rửa an toàn, lau kính trên cao có dây an toàn. Học xong nhận vào làm."),
    C(p="gdnn-quang-xuong", t="Bán hàng và thu ngân siêu thị", occ="5223",
      sk=["sales", "cashier", "customer_service"], lvl="short_course", w=3, c=0, f="free", sched="Chiều thứ 2 – thứ 6",
      seats=30, cert="Giấy chứng nhận hoàn thành khóa học",
      d="Kỹ năng bán hàng, dùng máy tính tiền, thanh toán QR, chăm sóc khách hàng."),
    C(p="gdnn-sam-son", t="Rửa xe và chăm sóc xe chuyên nghiệp", occ="9122",
      sk=["car_washing"], lvl="short_course", w=2, c=800_000, f="paid", sched="Sáng thứ 7, chủ nhật", seats=15,
      cert="Giấy chứng nhận hoàn thành khóa học",
      d="Rửa xe bọt tuyết, vệ sinh nội thất, đánh bóng; cách mở điểm rửa xe nhỏ."),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def rdate(rng, start, end):
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def jitter(rng, ward_key):
    lat, lon = WARDS[ward_key]
    return round(lat + rng.uniform(-0.01, 0.01), 5), round(lon + rng.uniform(-0.01, 0.01), 5)


def pick_weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def round_pay(period, x):
    step = {"month": 500_000, "day": 10_000, "hour": 1_000}[period]
    return int(round(x / step) * step)


def make_pay(rng, period, lo, hi):
    span = hi - lo
    pmin = round_pay(period, lo + rng.uniform(0, 0.5) * span)
    pmax = round_pay(period, pmin + rng.uniform(0.15, 0.6) * span)
    pmin = max(lo, min(pmin, hi))
    pmax = max(pmin, min(pmax, hi))
    return pmin, pmax


def pay_text(period, pmin, pmax):
    unit = {"month": "tháng", "day": "ngày", "hour": "giờ"}[period]
    if pmax is None:
        return f"từ {vnd(pmin)} đồng/{unit}"
    if pmin == pmax:
        return f"{vnd(pmin)} đồng/{unit}"
    if period == "month" and pmin % 1_000_000 in (0, 500_000) and pmax % 1_000_000 in (0, 500_000):
        a = f"{pmin / 1_000_000:g}".replace(".", ",")
        b = f"{pmax / 1_000_000:g}".replace(".", ",")
        return f"{a} – {b} triệu đồng/tháng"
    return f"{vnd(pmin)} – {vnd(pmax)} đồng/{unit}"


VI_SKILL_TEXT = {}
for _sid, _s in SKILLS.items():
    # label and the first (most common) Vietnamese aliases read naturally as free text
    _opts = [_s["label_vi"]] + [a for a in _s["aliases"] if any(ord(ch) > 127 for ch in a)][:3]
    VI_SKILL_TEXT[_sid] = [o for o in _opts if "(" not in o] or [_s["label_vi"]]


def as_text(rng, sid):
    t = rng.choice(VI_SKILL_TEXT[sid])
    if rng.random() < 0.5:
        t = t[0].upper() + t[1:]
    return t


def texty(rng, ids, k_text):
    """Rewrite up to k_text skill IDs as free Vietnamese text (they resolve back via aliases)."""
    out = list(ids)
    idx = list(range(len(out)))
    rng.shuffle(idx)
    for i in idx[:k_text]:
        out[i] = as_text(rng, out[i])
    return out


def describe(rng, p, role, n_open, district, tasks, hours, reqs, pay_str, benefits, seasonal=False, all_tasks=False,
             stable=True):
    place = short_place(p)
    name = p["name"]
    intros = [
        f"{name} tuyển {n_open} {role} làm việc tại {place}.",
        f"{name} cần tìm {n_open} {role}, ưu tiên người ở {place} và các xã lân cận.",
        f"Do mở rộng sản xuất, kinh doanh, {name} tuyển thêm {n_open} {role}.",
    ]
    if stable:
        intros.append(f"Việc làm ổn định tại {place}: {name} tuyển {role}.")
    if seasonal:
        intros.append(f"Chuẩn bị cho mùa du lịch hè 2027, {name} tuyển {n_open} {role}.")
    parts = [rng.choice(intros)]
    chosen = list(tasks) if all_tasks else rng.sample(tasks, k=min(len(tasks), rng.randint(2, 4)))
    style = rng.randint(0, 2)
    if style == 0:
        parts.append("Công việc chính: " + "; ".join(chosen) + ".")
    elif style == 1:
        parts.append("Mô tả công việc:\n- " + "\n- ".join(t[0].upper() + t[1:] for t in chosen))
    else:
        parts.append("Bạn sẽ " + "; ".join(chosen) + ".")
    parts.append(rng.choice(["Thời gian làm việc: ", "Giờ làm: ", "Ca làm: "]) + hours + ".")
    money = (rng.choice(["Thu nhập: ", "Lương: ", "Mức lương: "]) + pay_str + ".") if pay_str else \
        "Lương thỏa thuận theo tay nghề."
    if benefits:
        ben = [rng.choice(BENEFIT_TEXT[b]) for b in benefits]
        money += " Quyền lợi: " + ", ".join(ben) + "."
    parts.append(money)
    r = list(reqs) if all_tasks else rng.sample(reqs, k=min(len(reqs), rng.randint(1, 3)))
    parts.append("Yêu cầu: " + "; ".join(r) + ".")
    if p.get("fc") and rng.random() < 0.6:
        parts.append(rng.choice(FAIR_LINES))
    if rng.random() < 0.5:
        parts.append(f"Liên hệ {lower_first(p['person'])}, điện thoại {p['phone']}.")
    sep = "\n\n" if style == 1 else rng.choice([" ", "\n"])
    return sep.join(parts)


def location(rng, p, ward=None):
    prov = p.get("prov", TH)
    ward = ward or p["ward"]
    lat, lon = jitter(rng, (prov, p["d"], ward))
    loc = {"province": prov, "ward": current(p, ward).name}
    if ward == p["ward"]:
        loc["address"] = now_address(p)
    loc["lat"], loc["lon"] = lat, lon
    return loc


def job_dates(rng, kind):
    """kind: valid | expired | closed -> (valid_from, valid_through, status)."""
    if kind == "expired":
        vt = rdate(rng, "2026-06-01", "2026-10-31")
        vf = vt - dt.timedelta(days=rng.randint(30, 120))
        return vf.isoformat(), vt.isoformat(), "open"
    vf = rdate(rng, "2026-09-01", "2026-11-20")
    vt = rdate(rng, "2027-01-01", "2027-12-31")
    return vf.isoformat(), vt.isoformat(), ("closed" if kind == "closed" else "open")


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def gen_jobs(rng):
    jobs = []
    seq = {}

    styles = ["{pfx}-TD{n:03d}", "TD-{pfx}-2026-{n:02d}", "{pfx}{n:04d}", "{pfx}_VL_{n:03d}"]

    def ext_id(p):
        seq[p["id"]] = seq.get(p["id"], 0) + 1
        style = styles[PARTNERS.index(p) % len(styles)]
        return style.format(pfx=p["pfx"], n=seq[p["id"]])

    def finish(rec, kind, text_mode, protect_ids=False):
        vf, vt, status = job_dates(rng, kind)
        rec["valid_from"], rec["valid_through"] = vf, vt
        if status == "closed" or rng.random() < 0.92:
            rec["status"] = status
        if text_mode and not protect_ids:
            for fld in ("required_skills", "preferred_skills"):
                if rec.get(fld):
                    rec[fld] = texty(rng, rec[fld], rng.randint(1, len(rec[fld])))
        elif text_mode and rec.get("preferred_skills"):
            rec["preferred_skills"] = texty(rng, rec["preferred_skills"], len(rec["preferred_skills"]))
        return rec

    # welding first (fixed list)
    for w in WELDING:
        p = PARTNER[w["p"]]
        n_open = rng.randint(1, 4)
        period, lo, hi = w["pay"]
        pmin, pmax = make_pay(rng, period, lo, hi)
        tasks = [WELD_TASK[s] for s in w["req"] + w["pref"] if s in WELD_TASK]
        reqs = [WELD_REQ[s] for s in w["req"] + w["lic"] if s in WELD_REQ]
        if w["emp"] == "apprenticeship":
            reqs = ["đã biết hàn que cơ bản (học trong trại hoặc ở trường nghề đều được)",
                    "chưa có kinh nghiệm sẽ được thợ cả kèm cặp"]
        reqs.append("tuân thủ bảo hộ lao động")
        hours = WELD_TEXT["hours"][2] if "rotating" in w["shifts"] else rng.choice(WELD_TEXT["hours"][:2])
        desc = describe(rng, p, WELD_TEXT["role"], n_open, p["d"], tasks, hours, reqs,
                        pay_text(period, pmin, pmax), w["benefits"], all_tasks=True,
                        stable=w["emp"] == "full_time")
        rec = {"partner_id": p["id"], "external_id": ext_id(p), "title": w["title"], "description": desc,
               "occupation_code": "7212", "required_skills": list(w["req"]), "preferred_skills": list(w["pref"]),
               "location": location(rng, p), "employment_type": w["emp"], "shifts": w["shifts"],
               "pay_min_vnd": pmin, "pay_max_vnd": pmax, "pay_period": period, "openings": n_open,
               "min_education": rng.choice(["primary", "lower_secondary"]), "benefits": w["benefits"],
               "contact": {"name": p["person"], "phone": p["phone"]}}
        if w["lic"]:
            rec["licences_required"] = w["lic"]
        if w["excl"]:
            rec["excluded_offences"] = w["excl"]
        jobs.append(finish(rec, w["status"], rng.random() < 0.15, protect_ids=True))
    n_weld = len(jobs)

    # Exact shares: ~5% expired, ~4% closed overall (welding list above already has one of each).
    n_rest = sum(tr["n"] for tr in TRADES)
    kinds = ["expired"] * 16 + ["closed"] * 13
    kinds += ["valid"] * (n_rest - len(kinds))
    rng.shuffle(kinds)
    kinds = iter(kinds)
    # ~15% of postings write (some) skills as free Vietnamese text
    texts = [True] * round(0.15 * n_rest) + [False] * (n_rest - round(0.15 * n_rest))
    rng.shuffle(texts)
    texts = iter(texts)

    for tr in TRADES:
        for i in range(tr["n"]):
            p = PARTNER[tr["partners"][i % len(tr["partners"])]]
            ward = None
            if tr.get("wards_vary") and rng.random() < 0.5:
                ward = rng.choice(DISTRICTS[(p.get("prov", TH), p["d"])])
            lo_o, hi_o = tr["openings"]
            n_open = rng.randint(lo_o, hi_o)
            emp = pick_weighted(rng, tr["emp"])
            req = list(tr["req"])
            pool, kmin, kmax = tr["req_pool"]
            if pool:
                req += rng.sample(pool, rng.randint(kmin, min(kmax, len(pool))))
            pool, kmin, kmax = tr["pref_pool"]
            pref = [s for s in rng.sample(pool, rng.randint(kmin, min(kmax, len(pool)))) if s not in req] if pool else []
            hours, shifts = rng.choice(SCHED[tr["key"]])
            period, lo, hi = rng.choice(tr["pay"])
            if emp == "apprenticeship":
                hi = lo + (hi - lo) // 3
            pmin, pmax = make_pay(rng, period, lo, hi)
            r = rng.random()
            if r < 0.05:
                pmin = pmax = None          # "lương thỏa thuận"
            elif r < 0.15:
                pmax = None                 # "từ ... đồng"
            benefits = sorted(rng.sample(tr["benefits"], rng.randint(1, len(tr["benefits"]))),
                              key=tr["benefits"].index)
            title = rng.choice(tr["titles"])
            if rng.random() < 0.3:
                title += f" tại {short_place(p)}"
            desc = describe(rng, p, tr["role"], n_open, p["d"], tr["tasks"], hours, tr["reqs"],
                            pay_text(period, pmin, pmax) if pmin else None, benefits,
                            seasonal=(emp == "seasonal"), stable=(emp == "full_time"))
            rec = {"partner_id": p["id"], "external_id": ext_id(p), "title": title, "description": desc,
                   "occupation_code": tr["occ"], "required_skills": req}
            if pref:
                rec["preferred_skills"] = pref
            rec["location"] = location(rng, p, ward)
            rec["employment_type"] = emp
            rec["shifts"] = shifts
            if pmin is not None:
                rec["pay_min_vnd"] = pmin
                if pmax is not None:
                    rec["pay_max_vnd"] = pmax
                rec["pay_period"] = period
            rec["openings"] = n_open
            edu = rng.choice(tr["edu"])
            if edu != "none" or rng.random() < 0.5:
                rec["min_education"] = edu
            lics = []
            for prob, ls in tr["lic"]:
                if rng.random() < prob:
                    lics += [x for x in ls if x not in lics]
            if lics:
                rec["licences_required"] = lics
            prob, opts = tr["excl"]
            if opts and rng.random() < prob:
                rec["excluded_offences"] = list(rng.choice(opts))
            rec["benefits"] = benefits
            rec["contact"] = {"name": p["person"], "phone": p["phone"]}
            kind = next(kinds)
            text_mode = next(texts)
            finish(rec, kind, text_mode)
            if rng.random() < 0.025 or (text_mode and rng.random() < 0.3):
                extra = tr.get("extra_unresolved", []) + UNRESOLVED
                rec.setdefault("preferred_skills", []).append(rng.choice(extra))
            jobs.append(rec)
    # key order stable: reorder keys of records that got preferred_skills late
    order = ["partner_id", "external_id", "title", "description", "occupation_code", "required_skills",
             "preferred_skills", "location", "employment_type", "shifts", "pay_min_vnd", "pay_max_vnd", "pay_period",
             "openings", "min_education", "licences_required", "excluded_offences", "benefits", "contact",
             "valid_from", "valid_through", "status"]
    jobs = [{k: j[k] for k in order if k in j} for j in jobs]
    return jobs, n_weld


# Courses teaching these keep taxonomy IDs so the per-trade course minimums hold without text resolution.
PROTECTED_COURSE_SKILLS = {
    "vietnamese_cuisine", "kitchen_helper", "housekeeping", "front_desk", "waiter", "motorbike_repair", "car_repair",
    "industrial_sewing", "sewing_machine", "tailoring", "boat_engine", "navigation_basics", "net_making",
    "car_driving", "truck_driving", "computer_basics", "office_software",
}


def gen_courses(rng):
    courses = []
    seq = {}
    for c in COURSES:
        p = PARTNER[c["p"]]
        seq[p["id"]] = seq.get(p["id"], 0) + 1
        is_welding = c["occ"] == "7212"
        months = sorted(rng.sample(["2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"],
                                   rng.randint(1, 3)))
        starts = [f"{m}-{rng.choice(['01', '04', '05', '10', '12', '15', '18', '20'])}" for m in months]
        vf = rdate(rng, "2026-09-01", "2026-11-20")
        vt = dt.date.fromisoformat(starts[-1]) + dt.timedelta(days=rng.randint(0, 60))
        sk = list(c["sk"])
        if not is_welding and not set(sk) & PROTECTED_COURSE_SKILLS and rng.random() < 0.22:
            sk = texty(rng, sk, rng.randint(1, len(sk)))
        desc = c["d"]
        extras = []
        if c["f"] == "state_supported":
            extras.append(rng.choice([
                "Học viên thuộc diện chính sách, người chấp hành xong án phạt tù được hỗ trợ tiền ăn và đi lại.",
                "Nhà nước hỗ trợ phần lớn học phí; học viên chỉ đóng phần còn lại ghi trong mục học phí.",
            ]))
        elif c["f"] == "free":
            extras.append(rng.choice(["Học viên không phải đóng học phí.", "Miễn phí hoàn toàn, kể cả vật tư thực hành."]))
        if rng.random() < 0.5:
            extras.append(f"Đăng ký: {lower_first(p['person'])}, điện thoại {p['phone']}.")
        desc = " ".join([desc] + extras)
        rec = {"partner_id": p["id"], "external_id": f"KH-{p['pfx']}-27{seq[p['id']]:02d}",
               "title": c["t"], "description": desc}
        if c["occ"]:
            rec["occupation_code"] = c["occ"]
        rec["skills_taught"] = sk
        if c["lvl"]:
            rec["level"] = c["lvl"]
        rec["schedule"] = c["sched"]
        rec["start_dates"] = starts
        rec["duration_weeks"] = c["w"]
        rec["cost_vnd"] = c["c"]
        rec["funding"] = c["f"]
        rec["seats"] = c["seats"]
        rec["certificate"] = c["cert"]
        if c.get("min_edu"):
            rec["min_education"] = c["min_edu"]
        elif rng.random() < 0.4:
            rec["min_education"] = rng.choice(["none", "primary"])
        rec["location"] = location(rng, p)
        rec["contact"] = {"name": p["person"], "phone": p["phone"]}
        rec["valid_from"] = vf.isoformat()
        rec["valid_through"] = vt.isoformat()
        rec["status"] = "open"
        courses.append(rec)
    # two courses already closed for enrolment (never welding ones)
    for c in rng.sample([c for c in courses if c.get("occupation_code") not in ("7212",)], 2):
        c["status"] = "closed"
    return courses


def main():
    rng = random.Random(SEED)
    partners = [partner_record(p) for p in PARTNERS]
    jobs, _ = gen_jobs(rng)
    courses = gen_courses(rng)
    with open(HERE / "partners.json", "w", encoding="utf-8") as f:
        json.dump(partners, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(HERE / "jobs.jsonl", "w", encoding="utf-8") as f:
        for j in jobs:
            f.write(json.dumps(j, ensure_ascii=False) + "\n")
    with open(HERE / "courses.json", "w", encoding="utf-8") as f:
        json.dump(courses, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{len(partners)} partners, {len(jobs)} jobs, {len(courses)} courses")


if __name__ == "__main__":
    main()

"""Shared pieces of the ingestion benchmarks (see bench/README.md).

- paths: the repo root, `tests/` and `tests/data/` on sys.path (for `servers.dovecot` and
  `eml_builders`), and the on-disk cache (`$MAILTALLY_BENCH_CACHE`, else the system temp dir);
- the bench roster: 300 units and 20 requests of a Vietnamese office, written as a config folder;
- a seeded generator of realistic mail for that roster (`plan_messages` then `build_raw`):
  Vietnamese subjects with and without diacritics, replies from roster addresses and from
  members' Gmail, questions, the office's own notices, auto-replies, bounces, newsletters and
  duplicate deliveries; attachments are real .docx/.pdf/.jpg/.zip files whose sizes follow a
  clipped log-normal law; photos carry real JPEG image data (up to 12 megapixels), so decoding
  a thumbnail costs what it costs on a phone's photo;
- child-process measurement (wall time, peak RSS, phases read from mailtally's log) and a
  profile summary (cProfile or py-spy);
- the results table.
"""

from __future__ import annotations

import io
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

sys.path.append(str(Path(__file__).resolve().parents[1] / "tests" / "data"))

import eml_builders
from eml_builders import Attachment, build_message, docx_bytes, pdf_bytes

REPO_ROOT = Path(__file__).resolve().parents[1]

# Bump when the generator changes: cached mailboxes of another version are not reused.
GENERATOR_VERSION = 4

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_ADDRESS = "doankhoi@example.gov.vn"
OFFICE_NAME = "Văn phòng Đoàn Khối"
PASSWORD_ENV = "MAILTALLY_IMAP_PASSWORD"
PERIOD_START = datetime(2023, 8, 1, 8, 0, tzinfo=VN)  # every deadline is long past: the
# statuses (on time, late, missing) do not depend on the day of the run.


def cache_root() -> Path:
    """Where generated mailboxes are kept between runs."""
    base = os.environ.get("MAILTALLY_BENCH_CACHE") or tempfile.gettempdir()
    root = Path(base) / "mailtally-bench"
    root.mkdir(parents=True, exist_ok=True)
    return root


# -- the fast filler ----------------------------------------------------------------------------

_PRINTABLE = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
_TO_PRINTABLE = bytes(_PRINTABLE[i % len(_PRINTABLE)] for i in range(256))


def fast_filler(size: int, seed: int) -> bytes:
    """Deterministic printable filler, like eml_builders' own but made in C (MB/s, not KB/s)."""
    return random.Random(seed).randbytes(max(size, 0)).translate(_TO_PRINTABLE)


# eml_builders pads .docx/.pdf files with a byte-by-byte Python filler: fine for tests, far too
# slow for gigabytes. Same contract (deterministic, printable), same call sites.
if hasattr(eml_builders, "_filler"):
    eml_builders._filler = fast_filler


# -- the roster ---------------------------------------------------------------------------------

_DEPARTMENTS = (
    "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp",
    "Sở Xây dựng", "Sở Công Thương", "Sở Nội vụ", "Sở Ngoại vụ", "Sở Du lịch",
    "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa và Thể thao",
    "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Quy hoạch - Kiến trúc", "Sở An toàn thực phẩm",
    "Thanh tra Thành phố", "Văn phòng UBND Thành phố", "Văn phòng HĐND Thành phố",
    "Cục Thuế Thành phố", "Cục Hải quan Thành phố", "Kho bạc Nhà nước Thành phố",
    "Bảo hiểm Xã hội Thành phố", "Ngân hàng Nhà nước chi nhánh Thành phố",
    "Cục Thống kê Thành phố", "Ban Quản lý các Khu chế xuất và công nghiệp",
    "Ban Quản lý Khu Công nghệ cao", "Đài Truyền hình Thành phố",
    "Đài Tiếng nói Nhân dân Thành phố", "Báo Sài Gòn Giải Phóng", "Viện Nghiên cứu phát triển",
    "Trung tâm Xúc tiến Thương mại và Đầu tư", "Cục Thi hành án dân sự Thành phố",
    "Tòa án nhân dân Thành phố", "Viện Kiểm sát nhân dân Thành phố", "Ban Dân tộc Thành phố",
    "Ban Tôn giáo Thành phố",
)
_DISTRICTS = (
    "Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10", "Quận 11",
    "Quận 12", "Quận Bình Thạnh", "Quận Gò Vấp", "Quận Phú Nhuận", "Quận Tân Bình",
    "Quận Tân Phú", "Quận Bình Tân", "Thành phố Thủ Đức", "Huyện Củ Chi", "Huyện Hóc Môn",
    "Huyện Bình Chánh", "Huyện Nhà Bè", "Huyện Cần Giờ",
)
_DISTRICT_BODIES = (
    "Chi cục Thuế", "Kho bạc Nhà nước", "Bảo hiểm Xã hội", "Trung tâm Y tế", "Tòa án nhân dân",
    "Viện Kiểm sát nhân dân", "Chi cục Thống kê", "Chi cục Thi hành án dân sự",
    "Phòng Giáo dục và Đào tạo",
)
_SCHOOLS = (
    "Nguyễn Thị Minh Khai", "Lê Quý Đôn", "Trần Đại Nghĩa", "Gia Định", "Nguyễn Thượng Hiền",
    "Bùi Thị Xuân", "Marie Curie", "Lê Hồng Phong", "Nguyễn Hữu Huân", "Trưng Vương",
    "Võ Thị Sáu", "Nguyễn Du", "Hùng Vương", "Trần Phú", "Phú Nhuận", "Nguyễn Trãi",
    "Lương Thế Vinh", "Nguyễn An Ninh", "Ten Lơ Man", "Nguyễn Khuyến", "Mạc Đĩnh Chi",
    "Lê Thánh Tôn", "Thủ Thiêm", "Nguyễn Chí Thanh", "Trần Văn Giàu", "Nguyễn Hiền",
    "Tây Thạnh", "Bình Phú", "Nguyễn Công Trứ", "Võ Trường Toản", "Phan Đăng Lưu",
)
_HOSPITALS = (
    "Chợ Rẫy", "Nhân dân 115", "Nhân dân Gia Định", "Thống Nhất", "Từ Dũ", "Hùng Vương",
    "Nhi Đồng 1", "Nhi Đồng 2", "Nhi đồng Thành phố", "Ung Bướu", "Bệnh Nhiệt đới",
    "Chấn thương Chỉnh hình", "Mắt", "Tai Mũi Họng", "Răng Hàm Mặt", "Da Liễu",
    "Phạm Ngọc Thạch", "Tâm thần", "Truyền máu Huyết học", "Nguyễn Tri Phương", "Nguyễn Trãi",
    "An Bình", "Trưng Vương", "Sài Gòn", "Lê Văn Thịnh", "Phục hồi chức năng",
    "Y học cổ truyền", "Hóc Môn", "Củ Chi", "Cần Giờ", "Nhà Bè",
)
_TOPICS = (
    ("Báo cáo kết quả Ngày hoạt động cao điểm", ("hoạt động cao điểm", "kỳ nghỉ hồng")),
    ("Đăng ký danh sách tham gia Ngày Chủ nhật xanh", ("chủ nhật xanh",)),
    ("Báo cáo kết quả Chiến dịch Mùa hè xanh", ("mùa hè xanh",)),
    ("Báo cáo hoạt động chăm lo Tết Trung thu cho thiếu nhi", ("trung thu",)),
    ("Đăng ký chỉ tiêu hiến máu tình nguyện", ("hiến máu",)),
    ("Báo cáo kết quả học tập Nghị quyết", ("học tập nghị quyết",)),
    ("Danh sách đoàn viên ưu tú giới thiệu kết nạp Đảng", ("đoàn viên ưu tú",)),
    ("Đăng ký Công trình thanh niên cấp Khối", ("công trình thanh niên",)),
    ("Báo cáo tình hình tư tưởng đoàn viên quý III", ("tình hình tư tưởng",)),
    ("Đăng ký tham gia Hội thi Tin học văn phòng", ("tin học văn phòng",)),
    ("Báo cáo công tác chuyển đổi số trong tổ chức Đoàn", ("chuyển đổi số",)),
    ("Báo cáo kết quả đánh giá, xếp loại đoàn viên", ("xếp loại đoàn viên",)),
    ("Đăng ký tham gia Hội thao công nhân viên chức", ("hội thao",)),
    ("Báo cáo công tác an sinh xã hội và chăm lo đoàn viên", ("an sinh xã hội",)),
    ("Đăng ký Chương trình Xuân tình nguyện", ("xuân tình nguyện",)),
    ("Báo cáo kết quả Tháng Thanh niên", ("tháng thanh niên",)),
    ("Báo cáo sơ kết công tác Đoàn 6 tháng cuối năm", ("sơ kết",)),
    ("Đăng ký mô hình Dân vận khéo", ("dân vận khéo",)),
    ("Báo cáo kết quả Ngày đoàn viên", ("ngày đoàn viên",)),
    ("Báo cáo tổng kết công tác Đoàn và phong trào thanh niên năm 2023", ("tổng kết",)),
)


@dataclass(frozen=True, slots=True)
class BenchUnit:
    code: str
    name: str
    short: str  # the organisation without "Đoàn Thanh niên"/"Chi đoàn"
    email: str
    group: str


@dataclass(frozen=True, slots=True)
class BenchRequest:
    id: str
    number: int
    title: str
    issued: datetime
    deadline: datetime
    requires: tuple[str, ...]
    keywords: tuple[str, ...]
    notice_message_id: str


@dataclass(frozen=True, slots=True)
class Roster:
    units: tuple[BenchUnit, ...]
    requests: tuple[BenchRequest, ...]

    @property
    def period_end(self) -> datetime:
        return max(r.deadline for r in self.requests) + timedelta(days=5)


@cache
def bench_roster(units: int = 300, requests: int = 20) -> Roster:
    """The bench's roster: departments, district bodies, schools and hospitals; one notice a
    week from 1 August 2023, each due eight days later."""
    orgs: list[tuple[str, str]] = [(d, "so-nganh") for d in _DEPARTMENTS]
    orgs += [(f"{b} {d}", "quan-huyen") for b in _DISTRICT_BODIES for d in _DISTRICTS]
    orgs += [(f"Trường THPT {s}", "truong-vien") for s in _SCHOOLS]
    orgs += [(f"Bệnh viện {h}", "truong-vien") for h in _HOSPITALS]
    if units > len(orgs):
        raise ValueError(f"at most {len(orgs)} units")
    out = []
    for n, (org, group) in enumerate(orgs[:units], start=1):
        prefix = "Đoàn Thanh niên" if n % 3 else "Chi đoàn"
        code = f"U{n:03d}"
        domain = "example.gov.vn" if group != "truong-vien" else "example.edu.vn"
        out.append(BenchUnit(code, f"{prefix} {org}", org, f"doantn.{code.lower()}@{domain}",
                             group))
    reqs = []
    for i in range(requests):
        title, keywords = _TOPICS[i % len(_TOPICS)]
        number = 150 + 7 * i
        issued = PERIOD_START + timedelta(days=7 * i, hours=1)
        deadline = (issued + timedelta(days=8)).replace(hour=11 if i % 2 else 17, minute=0)
        requires = ("report",) if title.startswith("Đăng ký") else ("report", "images")
        reqs.append(BenchRequest(
            id=f"{number}-TB/ĐTN", number=number, title=title, issued=issued, deadline=deadline,
            requires=requires, keywords=keywords,
            notice_message_id=f"<notice.{number}.tb@example.gov.vn>",
        ))
    return Roster(tuple(out), tuple(reqs))


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(folder: Path, roster: Roster, source_toml: str) -> Path:
    """Write settings.toml, units.csv and requests.toml into `folder`; return settings.toml.

    `source_toml` is the `[[source]]` table. Paths in it are relative to `folder`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.toml").write_text(
        'timezone = "Asia/Ho_Chi_Minh"\n'
        'language = "vi"\n'
        f"office_addresses = [{_toml_str(OFFICE_ADDRESS)}]\n"
        'units_file = "units.csv"\n'
        'requests_file = "requests.toml"\n'
        'data_dir = "data"\n'
        'output_dir = "out"\n\n'
        f"{source_toml.strip()}\n",
        encoding="utf-8",
    )
    lines = ["code,name,emails,aliases,group"]
    for u in roster.units:
        lines.append(f"{u.code},{u.name},{u.email},{u.short};ĐTN {u.short},{u.group}")
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    blocks = []
    for r in roster.requests:
        blocks.append(
            "[[request]]\n"
            f"id = {_toml_str(r.id)}\n"
            f"title = {_toml_str(r.title)}\n"
            f"issued = {r.issued.replace(tzinfo=None).isoformat()}\n"
            f"deadline = {r.deadline.replace(tzinfo=None).isoformat()}\n"
            "grace_minutes = 0\n"
            'units = ["*"]\n'
            f"requires = [{', '.join(_toml_str(k) for k in r.requires)}]\n"
            f"keywords = [{', '.join(_toml_str(k) for k in r.keywords)}]\n"
            f"notice_message_id = {_toml_str(r.notice_message_id)}\n"
        )
    (folder / "requests.toml").write_text("\n".join(blocks), encoding="utf-8")
    return folder / "settings.toml"


def imap_source_toml(host: str, port: int, username: str) -> str:
    """An `[[source]]` table for a plain-IMAP loopback account (security "none")."""
    return (
        "[[source]]\n"
        'kind = "imap"\n'
        f"host = {_toml_str(host)}\n"
        f"port = {port}\n"
        'security = "none"\n'
        f"username = {_toml_str(username)}\n"
        f"password_env = {_toml_str(PASSWORD_ENV)}\n"
        'folders = ["INBOX"]\n'
    )


# -- photos -------------------------------------------------------------------------------------

# (width, height) of the base photos: thumbnail of a 12 MP photo costs ~40 ms, of a small one ~2.
_PHOTO_SIZES = ((320, 240), (640, 480), (1280, 960), (2048, 1536), (4032, 3024))


@cache
def photo_pool() -> tuple[bytes, ...]:
    """Real JPEGs (gradient plus noise, quality 85), smallest first; made once and cached."""
    folder = cache_root() / f"photos-v{GENERATOR_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for w, h in _PHOTO_SIZES:
        path = folder / f"{w}x{h}.jpg"
        if not path.exists():
            from PIL import Image

            rng = random.Random(w * 10_000 + h)
            noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
            smooth = Image.linear_gradient("L").resize((w, h))
            round_ = Image.radial_gradient("L").resize((w, h))
            img = Image.merge("RGB", (Image.blend(smooth, noise, 0.25),
                                      Image.blend(round_, noise, 0.2),
                                      Image.blend(smooth, round_, 0.5)))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=85)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(buf.getvalue())
            tmp.replace(path)
        out.append(path.read_bytes())
    return tuple(out)


def photo_bytes(size: int, seed: int) -> bytes:
    """A JPEG of about `size` bytes: the biggest base photo that fits, followed by filler after
    its end-of-image marker, as phones append a motion photo's video. Every photo gets bytes of
    its own. (Not comment segments: Pillow copies a JPEG's comment into every thumbnail.)"""
    pool = photo_pool()
    fitting = [p for p in pool if len(p) + 16 <= size]
    base = fitting[-1] if fitting else pool[0]
    return base + fast_filler(max(size - len(base), 16), seed)


# -- messages -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SizeModel:
    """Total attachment bytes of a message that has attachments: log-normal, clipped."""

    median: int
    sigma: float
    low: int
    high: int
    share: float  # fraction of all messages that carry attachments

    def draw(self, rng: random.Random) -> int:
        value = math.exp(rng.gauss(math.log(self.median), self.sigma))
        return int(min(max(value, self.low), self.high))


# The IMAP mailbox: ~30% of messages with 50 KB-25 MB of files (median 350 KB, mean ~0.8 MB).
MAILBOX_SIZES = SizeModel(median=350_000, sigma=1.25, low=50_000, high=25_000_000, share=0.30)
# The outputs benchmark's store: small files only (no IMAP, fast to make).
SMALL_SIZES = SizeModel(median=30_000, sigma=0.5, low=12_000, high=120_000, share=0.30)

# Share of each kind of message; attachment probability is scaled per kind to reach `share`.
_KINDS = (
    ("reply", 0.72, 1.0), ("question", 0.08, 0.05), ("office", 0.05, 0.8),
    ("auto_reply", 0.04, 0.0), ("bounce", 0.02, 0.0), ("other", 0.08, 0.2),
    ("duplicate", 0.01, 0.0),
)


@dataclass(frozen=True, slots=True)
class Plan:
    """What one message will be; `build_raw(plan)` makes its bytes."""

    uid: int  # stable id within one plan (creation order), seeds the message's own RNG
    kind: str
    unit: int  # index into roster.units, -1 for none
    request: int  # index into roster.requests, -1 for none
    arrival: datetime  # INTERNALDATE, aware
    attach: int  # total bytes of attached files, 0 for none
    layout: str  # report | report+photos | photos | zip
    personal: bool  # from a member's Gmail rather than the unit's address
    seen: bool  # \Seen flag in the mailbox
    original: Plan | None = None  # for kind "duplicate": the message delivered twice


def plan_messages(n: int, seed: int, roster: Roster, sizes: SizeModel,
                  window: tuple[datetime, datetime] | None = None) -> list[Plan]:
    """`n` messages in arrival order. Replies arrive between a request's issue and its deadline
    (15% up to four days late); with `window`, everything arrives inside it instead."""
    rng = random.Random(f"plan/{seed}/{n}/{window}")
    weights = [w for _, w, _ in _KINDS]
    attach_weight = sum(w * a for _, w, a in _KINDS)
    plans: list[Plan] = []
    start, end = window or (PERIOD_START, roster.period_end)
    span = (end - start).total_seconds()
    for uid in range(n):
        kind, _, attach_factor = rng.choices(_KINDS, weights)[0]
        if kind == "duplicate" and plans:
            original = plans[rng.randrange(len(plans))]
            if original.kind != "duplicate":
                plans.append(Plan(uid, kind, original.unit, original.request,
                                  original.arrival + timedelta(seconds=rng.uniform(2, 90)),
                                  0, "", original.personal, original.seen, original))
                continue
            kind, attach_factor = "reply", 1.0
        if kind == "duplicate":
            kind, attach_factor = "reply", 1.0
        request = rng.randrange(len(roster.requests))
        req = roster.requests[request]
        if window is not None:
            arrival = start + timedelta(seconds=rng.uniform(0, span))
        elif kind in ("reply", "question"):
            if rng.random() < 0.85:
                lo, hi = req.issued + timedelta(hours=2), req.deadline
            else:
                lo, hi = req.deadline, req.deadline + timedelta(days=4)
            arrival = lo + timedelta(seconds=rng.uniform(0, (hi - lo).total_seconds()))
        elif kind == "office":
            base = req.issued if rng.random() < 0.5 else req.deadline - timedelta(days=1)
            arrival = base + timedelta(seconds=rng.uniform(0, 6 * 3600))
        elif kind == "auto_reply":
            arrival = req.issued + timedelta(seconds=rng.uniform(5, 600))
        else:
            arrival = start + timedelta(seconds=rng.uniform(0, span))
        has_files = rng.random() < sizes.share * attach_factor / attach_weight
        layout = rng.choices(("report", "report+photos", "photos", "zip"), (30, 45, 20, 5))[0]
        plans.append(Plan(
            uid=uid, kind=kind, unit=rng.randrange(len(roster.units)), request=request,
            arrival=arrival.astimezone(UTC).replace(microsecond=0),
            attach=sizes.draw(rng) if has_files else 0, layout=layout,
            personal=rng.random() < 0.22, seen=rng.random() < 0.7,
        ))
    if sizes.high >= 1_000_000 and n >= 1000:
        # Cover the whole range: the biggest message carries the biggest allowed total.
        big = max(range(len(plans)), key=lambda i: plans[i].attach)
        p = plans[big]
        plans[big] = Plan(p.uid, p.kind, p.unit, p.request, p.arrival, sizes.high,
                          "report+photos", p.personal, p.seen)
    return sorted(plans, key=lambda p: (p.arrival, p.uid))


_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
          "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Nhung", "Phúc",
          "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tú", "Tuấn", "Vy")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
           "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Thu", "Đức", "Hữu")
_SENTENCES = (
    "Đơn vị đã tổ chức các hoạt động tình nguyện, sinh hoạt chuyên đề và thăm hỏi thiếu nhi "
    "có hoàn cảnh khó khăn trên địa bàn.",
    "Tổng số đoàn viên tham gia: {n} đồng chí, đạt {p}% so với chỉ tiêu được giao.",
    "Các hoạt động được triển khai đồng bộ, thiết thực, thu hút đông đảo đoàn viên thanh niên "
    "tham gia.",
    "Ban Chấp hành đã họp và thống nhất danh sách tham gia theo đúng hướng dẫn.",
    "Kinh phí thực hiện từ nguồn xã hội hóa và quỹ hoạt động của đơn vị.",
    "Đơn vị đề xuất tiếp tục duy trì mô hình trong thời gian tới.",
    "Nếu có sai sót, đơn vị sẽ bổ sung trong thời gian sớm nhất.",
    "Do điều kiện công tác, đơn vị xin phép gửi báo cáo chậm hơn thời hạn, mong Văn phòng "
    "thông cảm.",
    "Hình ảnh hoạt động được đính kèm theo thư này.",
    "Đơn vị đã phối hợp với Công đoàn cơ sở tổ chức {n} lượt thăm hỏi, tặng quà.",
    "Trong quá trình thực hiện còn một số khó khăn về thời gian và nhân sự.",
    "Kính đề nghị Văn phòng Đoàn Khối xem xét, tổng hợp.",
)
_OTHER_SENDERS = (
    ("Bản tin Thanh Niên", "bantin@thanhnien.example.vn", "Bản tin sáng {d}: tin nổi bật"),
    ("Công đoàn Viên chức", "congdoan@example.gov.vn", "Thông báo lịch sinh hoạt công đoàn"),
    ("Phòng Quản trị", "quantri@example.gov.vn", "Lịch bảo trì hệ thống thư điện tử"),
    ("Zalo Official", "no-reply@zalo.example.com", "Tài khoản của bạn có đăng nhập mới"),
    ("Nhà sách Phương Nam", "khuyenmai@nhasach.example.vn", "Ưu đãi tháng {m} dành cho bạn"),
)


def _strip_marks(text: str) -> str:
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _paragraph(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_SENTENCES).format(n=rng.randint(12, 240), p=rng.randint(60, 130))
                    for _ in range(count))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(cuts)
    return [max(int(c * scale), 8_000) for c in cuts]


def _files(plan: Plan, rng: random.Random, unit: BenchUnit, req: BenchRequest) -> list[Attachment]:
    if not plan.attach:
        return []
    total = plan.attach
    doc_text = (f"BÁO CÁO\n{unit.name.upper()}\n{req.title}\nThực hiện Thông báo số {req.id}.\n"
                + _paragraph(rng, 6))
    seed = rng.getrandbits(31) + 1

    def doc(size: int) -> Attachment:
        if rng.random() < 0.6:
            data = docx_bytes(doc_text, size=size, seed=seed)
            return Attachment(f"Báo cáo {req.number} - {unit.short}.docx", data, "application",
                              "vnd.openxmlformats-officedocument.wordprocessingml.document")
        data = pdf_bytes(doc_text, size=size, seed=seed)
        return Attachment(f"BC {req.number}-TB {_strip_marks(unit.short)}.pdf", data,
                          "application", "pdf")

    def photos(size: int) -> list[Attachment]:
        count = max(1, min(rng.randint(1, 8), size // 40_000))
        when = plan.arrival.astimezone(VN)
        out = []
        for k, part in enumerate(_split(size, count, rng)):
            name = (f"IMG_{when:%Y%m%d}_{when:%H%M}{k:02d}.jpg" if rng.random() < 0.6
                    else f"Ảnh hoạt động {k + 1}.jpg")
            out.append(Attachment(name, photo_bytes(part, seed + k), "image", "jpeg"))
        return out

    if plan.kind == "office":
        data = pdf_bytes(f"THÔNG BÁO số {req.id}\n{req.title}", size=total, seed=seed)
        return [Attachment(f"TB {req.number}.pdf", data, "application", "pdf")]
    if plan.layout == "report" or plan.kind != "reply":
        return [doc(total)]
    if plan.layout == "photos":
        return photos(total)
    if plan.layout == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for photo in photos(total):
                zf.writestr(zipfile.ZipInfo(photo.filename, (2023, 8, 10, 9, 0, 0)), photo.content)
        return [Attachment(f"Hình ảnh {unit.short}.zip", buf.getvalue(), "application", "zip")]
    doc_size = max(int(total * rng.uniform(0.05, 0.3)), 20_000)
    return [doc(min(doc_size, total)), *photos(max(total - doc_size, 30_000))]


def _received(plan: Plan, rng: random.Random, sender: str, route: str = "mx1") -> bytes:
    when = format_datetime(plan.arrival.astimezone(VN))
    relay = f"mail-{rng.choice('abcdefgh')}{rng.randint(1, 99)}.google.com"
    return (
        f"Return-Path: <{sender}>\r\n"
        f"Delivered-To: {OFFICE_ADDRESS}\r\n"
        f"Received: from {relay} ({relay} [209.85.{rng.randint(0, 255)}.{rng.randint(1, 254)}])"
        f"\r\n\tby {route}.example.gov.vn (Postfix) with ESMTPS id {rng.getrandbits(40):010X}"
        f"\r\n\tfor <{OFFICE_ADDRESS}>; {when}\r\n"
    ).encode("ascii")


def build_raw(plan: Plan, seed: int, roster: Roster | None = None) -> bytes:
    """The bytes of one planned message, as it sits in the office's mailbox."""
    roster = roster or bench_roster()
    rng = random.Random(f"msg/{seed}/{plan.uid}")
    if plan.original is not None:  # the same message by a second route: other transport headers
        raw = build_raw(plan.original, seed, roster)
        return _received(plan, rng, "relay@fwd.example.gov.vn", route="mx2") + raw
    unit = roster.units[plan.unit]
    req = roster.requests[plan.request]
    sent = plan.arrival.astimezone(VN) - timedelta(seconds=rng.uniform(15, 600))
    person = _person(rng)
    message_id = f"<{sent:%Y%m%d%H%M%S}.{rng.getrandbits(48):012x}@mail.example.vn>"
    extra: dict[str, str] = {}
    html: str | None = None
    files = _files(plan, rng, unit, req)
    if plan.kind in ("reply", "question"):
        if plan.personal:
            sender = f"{_strip_marks(person).lower().replace(' ', '.')}{rng.randint(1, 99)}" \
                     "@gmail.com"
            sender_name = f"{person} - ĐTN {unit.short}" if rng.random() < 0.6 else person
        else:
            sender, sender_name = unit.email, unit.name
        if plan.kind == "reply":
            subject = rng.choice((
                f"Báo cáo {req.title[0].lower() + req.title[1:]} - {unit.short}",
                f"V/v gửi báo cáo theo Thông báo số {req.id}",
                f"[{unit.short}] {req.title}",
                f"Re: Thông báo số {req.id} về việc {req.title[0].lower() + req.title[1:]}",
                f"Fwd: Báo cáo {req.keywords[0]} của {unit.name}",
                f"{unit.name} gửi báo cáo {req.number}-TB/ĐTN",
            ))
        else:
            subject = rng.choice((
                f"Hỏi về thời hạn nộp báo cáo {req.id}",
                f"Xin gia hạn nộp báo cáo {req.keywords[0]}",
                f"Re: Thông báo số {req.id}: đơn vị xin hỏi thêm",
            ))
        if rng.random() < 0.15:
            subject = _strip_marks(subject)
        long_body = plan.kind == "reply" and rng.random() < 0.45
        body = (f"Kính gửi {OFFICE_NAME},\n\n"
                f"Thực hiện Thông báo số {req.id}, {unit.name} xin gửi nội dung như sau.\n"
                f"{_paragraph(rng, rng.randint(4, 9) if long_body else rng.randint(0, 2))}\n\n"
                f"Trân trọng,\n{person}\n{unit.name}\nĐT: 09{rng.randint(10_000_000, 99_999_999)}"
                "\n")
        if subject.startswith("Re:"):
            extra["In-Reply-To"] = req.notice_message_id
            extra["References"] = req.notice_message_id
            body += (f"\nVào {req.issued:%d/%m/%Y} lúc {req.issued:%H:%M}, {OFFICE_NAME} "
                     f"<{OFFICE_ADDRESS}> đã viết:\n> Kính gửi các cơ sở Đoàn,\n"
                     f"> Ban Thường vụ Đoàn Khối thông báo {req.title.lower()}.\n"
                     f"> Hạn nộp: {req.deadline:%H:%M ngày %d/%m/%Y}.\n")
        elif subject.startswith("Fwd:"):
            body = (f"Em chuyển tiếp báo cáo của đơn vị ạ.\n\n"
                    f"---------- Forwarded message ---------\n"
                    f"From: {unit.name} <{unit.email}>\nDate: {format_datetime(sent)}\n"
                    f"Subject: Báo cáo {req.keywords[0]}\nTo: {person}\n\n{body}")
        if rng.random() < 0.5:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.splitlines() if line)
            html = f'<div dir="ltr">{paragraphs}</div>'
    elif plan.kind == "office":
        sender, sender_name = OFFICE_ADDRESS, OFFICE_NAME
        if rng.random() < 0.5:
            subject = f"Thông báo số {req.id} về việc {req.title[0].lower() + req.title[1:]}"
            message_id = f"<office.{plan.uid}.{req.number}@example.gov.vn>"
        else:
            subject = f"Nhắc nộp báo cáo theo Thông báo số {req.id}"
        body = (f"Kính gửi các cơ sở Đoàn trực thuộc,\n\nBan Thường vụ Đoàn Khối thông báo "
                f"{req.title.lower()}. Hạn nộp: {req.deadline:%H:%M ngày %d/%m/%Y}.\n\n"
                f"{OFFICE_NAME}\n")
    elif plan.kind == "auto_reply":
        sender, sender_name = unit.email, unit.name
        subject = f"Trả lời tự động: Thông báo số {req.id}"
        extra["Auto-Submitted"] = "auto-replied"
        extra["X-Autoreply"] = "yes"
        body = "Tôi đang nghỉ phép đến hết tuần, sẽ phản hồi khi trở lại văn phòng.\n"
    elif plan.kind == "bounce":
        sender, sender_name = "MAILER-DAEMON@example.gov.vn", "Mail Delivery System"
        subject = "Undelivered Mail Returned to Sender"
        body = (f"This is the mail system at host mx1.example.gov.vn.\n\nI'm sorry to have to "
                f"inform you that your message could not be delivered to one or more "
                f"recipients.\n\n<{unit.email}>: mailbox full\n")
    else:
        name, sender, pattern = rng.choice(_OTHER_SENDERS)
        sender_name = name
        subject = pattern.format(d=f"{sent:%d/%m}", m=sent.month)
        body = _paragraph(rng, rng.randint(2, 6)) + "\n"
        html = f"<html><body><h1>{subject}</h1><p>{body}</p></body></html>"
    raw = build_message(sender=sender, sender_name=sender_name, subject=subject, body=body,
                        date=sent, message_id=message_id, attachments=files, html=html,
                        extra_headers=extra)
    return _received(plan, rng, sender) + raw


# -- measuring a child process ------------------------------------------------------------------

# A log line: its time (as before 0.2, "2023-08-25 09:00:00,123"; or ISO 8601 to the second in
# the office's zone), level, logger, message. Its time is taken as it arrives on the pipe: the
# ISO stamp has no fraction of a second, too coarse for the phases of a run.
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T][\d:,.+\-Z]+ \w+ [\w.]+ (.*)$")


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One mailtally process: exit status, wall time, peak RSS and when it logged what."""

    returncode: int
    seconds: float
    max_rss: int  # bytes
    stdout: str
    stderr: str
    started: float  # time.time() at spawn
    events: tuple[tuple[float, str], ...]  # (time.time(), log message) for INFO lines
    peak_at: float  # seconds from spawn to the highest RSS sampled (every 20 ms)
    # CPU seconds of the process and of the processes it started and waited for (its workers)
    cpu_user: float = 0.0
    cpu_system: float = 0.0

    def event_time(self, needle: str) -> float | None:
        """Seconds from spawn to the last log line containing `needle`."""
        found = [t for t, message in self.events if needle in message]
        return found[-1] - self.started if found else None

    def check(self, what: str) -> ChildRun:
        if self.returncode != 0:
            raise RuntimeError(f"{what} exited {self.returncode}:\n{self.stdout}\n"
                               f"{self.stderr[-4000:]}")
        return self


def mailtally_env(password: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    if password is not None:
        env[PASSWORD_ENV] = password
    return env


# Spawns the command, waits for it and writes "status seconds maxrss_kib started" to a pipe.
# Why a launcher: a child's ru_maxrss counts the memory of the process it was forked from
# (Linux records the old address space's high-water mark at exec), so a child spawned straight
# from this benchmark, which holds hundreds of MB of fetched mail, would report this process's
# size, not its own. Spawned from this small launcher, it reports its own (at least ~10 MiB).
_LAUNCHER = """
import os, sys, time
fd, argv = int(sys.argv[1]), sys.argv[2:]
started = time.time()
t0 = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
peak, peak_at = 0, started
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
                    if rss > peak:
                        peak, peak_at = rss, time.time()
    except (OSError, ValueError):
        pass
    time.sleep(0.02)
seconds = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
os.write(fd, f"{code} {seconds} {usage.ru_maxrss} {started} {peak_at} "
             f"{usage.ru_utime} {usage.ru_stime}".encode())
"""


def _stamp_lines(stream: IO[bytes], lines: list[tuple[float, str]]) -> None:
    for raw in stream:
        lines.append((time.time(), raw.decode("utf-8", "replace")))


def run_child(argv: Sequence[str], env: Mapping[str, str], cwd: Path = REPO_ROOT) -> ChildRun:
    """Run `argv` (argv[0] an absolute path) to the end: wall time from spawn to reap, and the
    peak RSS of that process alone (wait4's ru_maxrss, through a small launcher)."""
    read_fd, write_fd = os.pipe()
    lines: list[tuple[float, str]] = []  # (time.time() on arrival, line) of stderr
    with tempfile.TemporaryFile() as out:
        with os.fdopen(read_fd, "rb") as pipe:
            try:
                launcher = subprocess.Popen(
                    [sys.executable, "-S", "-c", _LAUNCHER, str(write_fd), *argv], cwd=cwd,
                    env=dict(env), stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.PIPE, pass_fds=(write_fd,))
            finally:
                os.close(write_fd)  # the launcher holds its own copy
            assert launcher.stderr is not None
            reader = threading.Thread(target=_stamp_lines, args=(launcher.stderr, lines))
            reader.start()
            launcher.wait()
            reader.join()
            launcher.stderr.close()
            report = pipe.read().decode("ascii").split()
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = "".join(line for _, line in lines)
    if len(report) != 7:
        raise RuntimeError(f"the launcher failed (exit {launcher.returncode}): {stderr[-2000:]}")
    events = []
    for stamp, line in lines:
        m = _LOG_LINE.match(line.rstrip("\n"))
        if m:
            events.append((stamp, m.group(1)))
    return ChildRun(int(report[0]), float(report[1]), int(report[2]) * 1024, stdout, stderr,
                    float(report[3]), tuple(events), float(report[4]) - float(report[3]),
                    float(report[5]), float(report[6]))


def mailtally_argv(config: Path, command: str = "once", *, python_flags: Sequence[str] = (),
                   profile: Path | None = None, profiler: str = "cprofile") -> list[str]:
    """`python [flags] run.py --config CONFIG COMMAND`, under a profiler if asked."""
    script = [str(REPO_ROOT / "run.py"), "--config", str(config), command]
    if profile is None:
        return [sys.executable, *python_flags, *script]
    if profiler == "py-spy":
        spy = Path(sys.executable).with_name("py-spy")
        return [str(spy), "record", "--format", "raw", "--rate", "200", "--idle",
                "--output", str(profile), "--", sys.executable, *python_flags, *script]
    return [sys.executable, *python_flags, "-m", "cProfile", "-o", str(profile), *script]


def heavy_imports(importtime_stderr: str) -> dict[str, float]:
    """Seconds (cumulative) of the notable imports in a `python -X importtime` trace."""
    wanted = {"pandas", "numpy", "openpyxl", "PIL", "jinja2", "mailparser", "imapclient",
              "email", "sqlite3", "ssl"}
    found: dict[str, float] = {}
    for line in importtime_stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        if name in wanted:
            found[name] = max(found.get(name, 0.0), int(parts[1]) / 1e6)
    return found


# -- profiles -----------------------------------------------------------------------------------

# Functions worth naming in a profile summary (file suffix, function), with a short label.
PROFILE_FOCUS = (
    ("app/runner.py", "poll_sources", "poll: poll_sources"),
    ("ingest/sources.py", "_sync_folder", "  IMAP sync of a folder"),
    ("imapclient/imapclient.py", "fetch", "    imapclient fetch"),
    ("ingest/store.py", "store_message", "    Store.store_message"),
    ("ingest/store.py", "message_key_for", "      message_key_for (hashing)"),
    ("ingest/files.py", "write_atomic", "      write_atomic"),
    ("app/caches.py", "parse_stored", "parse: parse_stored"),
    ("parsers/message.py", "parse_message", "  parse_message"),
    ("parsers/message.py", "_top_message", "    mail-parser parse_from_bytes"),
    ("parsers/message.py", "_read_tree", "    MIME tree (_read_tree)"),
    ("parsers/message.py", "_visit", "    MIME walk (_visit)"),
    ("ingest/store.py", "save_attachment", "  Store.save_attachment"),
    ("ingest/store.py", "cache_parse", "  Store.cache_parse"),
    ("parsers/records.py", "from_json", "  records.from_json (parse cache)"),
    ("ingest/store.py", "transaction", "Store.transaction exits (os.sync, COMMIT)"),
    ("app/runner.py", "snapshot", "place: snapshot"),
    ("app/runner.py", "status_all", "status: status_all"),
    ("app/publish.py", "write_outputs", "outputs: write_outputs"),
    ("outputs/writers.py", "write_csv", "  CSV files"),
    ("outputs/workbook.py", "write_workbook", "  report.xlsx (openpyxl)"),
    ("outputs/html.py", "write_report_html", "  report.html"),
    ("outputs/html.py", "thumbnail_uri", "    thumbnails (Pillow)"),
)


@dataclass
class ProfileSummary:
    """Where the time went: total, named stages and the top functions by own time."""

    total: float
    focus: list[tuple[str, float]] = field(default_factory=list)
    own: list[tuple[str, float]] = field(default_factory=list)  # by self time
    inclusive: list[tuple[str, float]] = field(default_factory=list)  # by cumulative time


def _short(filename: str, line: int, func: str) -> str:
    for marker in ("site-packages/", "lib/python3", str(REPO_ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    if filename.startswith(".") and "/" in filename:  # lib/python3.11/... -> stdlib
        filename = filename.split("/", 1)[1]
    return f"{filename}:{line}({func})" if filename != "~" else func


def summarise_cprofile(path: Path, top: int = 25) -> ProfileSummary:
    import pstats

    stats = pstats.Stats(str(path))
    table = stats.stats  # type: ignore[attr-defined]
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    summary = ProfileSummary(total)
    for suffix, func, label in PROFILE_FOCUS:
        cum = sum(v[3] for (f, _, fn), v in table.items() if fn == func and f.endswith(suffix))
        if cum:
            summary.focus.append((label, cum))
    rows = [(_short(f, ln, fn), v[2], v[3]) for (f, ln, fn), v in table.items()]
    summary.own = [(n, s) for n, s, _ in sorted(rows, key=lambda r: -r[1])[:top]]
    summary.inclusive = [(n, c) for n, _, c in sorted(rows, key=lambda r: -r[2])[:top]]
    return summary


_SPY_FRAME = re.compile(r"^(.*) \((.*):(\d+)\)$")


def summarise_pyspy(path: Path, rate: int = 200, top: int = 25) -> ProfileSummary:
    """A py-spy `--format raw` file: collapsed stacks 'frame;frame;... count'."""
    own: dict[str, int] = defaultdict(int)
    inclusive: dict[str, int] = defaultdict(int)
    focus: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        names = []
        labels: set[str] = set()
        for frame in stack.split(";"):
            m = _SPY_FRAME.match(frame)
            func, filename = (m.group(1), m.group(2)) if m else (frame, "~")
            names.append(_short(filename, 0, func).replace(":0(", "("))
            for suffix, wanted, label in PROFILE_FOCUS:
                if filename.endswith(suffix) and (func == wanted or func.endswith("." + wanted)):
                    labels.add(label)
        for label in labels:
            focus[label] += count
        if names:
            own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count
    summary = ProfileSummary(total / rate)
    summary.focus = [(label, focus[label] / rate) for _, _, label in PROFILE_FOCUS
                     if focus.get(label)]
    summary.own = [(n, c / rate) for n, c in sorted(own.items(), key=lambda kv: -kv[1])[:top]]
    summary.inclusive = [(n, c / rate) for n, c in
                         sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]]
    return summary


def print_profile(title: str, summary: ProfileSummary, top: int = 20) -> None:
    print(f"\n{title}: {summary.total:.1f} s profiled")
    if summary.focus:
        print("  stages (inclusive):")
        for label, seconds in summary.focus:
            print(f"    {label:<38} {seconds:8.2f} s {100 * seconds / summary.total:5.1f}%")
    print(f"  top {top} functions by own time:")
    for name, seconds in summary.own[:top]:
        print(f"    {seconds:8.2f} s {100 * seconds / summary.total:5.1f}%  {name}")


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the results table. `ok` is None for figures without a target."""

    name: str
    value: str
    target: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "FAIL")


def print_table(title: str, figures: Iterable[Figure]) -> None:
    rows = [("figure", "measured", "target", ""), *((f.name, f.value, f.target, f.verdict)
                                                    for f in figures)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"\n{title}")
    for n, row in enumerate(rows):
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        done = subprocess.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def progress(text: str) -> None:
    """A progress line on stderr (the figures go to stdout)."""
    print(text, file=sys.stderr, flush=True)

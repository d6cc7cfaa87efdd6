"""Write the labelled corpus for the message matcher (tests/corpus/).

The corpus is an office inbox of the kind the Văn phòng Đoàn Khối Dân - Chính - Đảng receives over
a summer: about 60 units answering five notices whose open periods overlap, written the way people
write mail (member Gmail, forwards, quoted notices, typos, abbreviations, no diacritics, old and
new tone-mark placement, NFD text, windows-1258, files whose name or content is the only place the
unit is named), plus the mail that is not a report (the office's own, bounces, read receipts,
auto-replies, newsletters) and a few messages a careful clerk could not place either.

Each message is labelled by hand-written rules here with the truth a careful clerk would give (the
unit, the requests it answers, or the contract's reason for setting it aside), never with what the
matcher happens to do. `bench/matching.py` compares the matcher with these labels.

Everything is derived from fixed data and one seeded random generator (names, numbers, times, the
pixels of the photos, .docx/.xlsx metadata, zip timestamps, MIME boundaries), so two runs write
byte-identical files.

This file is the list of cases: each is a function (or a row of a table) that writes one message
and its label, and `CASES` runs them in order. The world they are set in (the roster, the notices,
the people) is corpus_world.py; how a unit's mail and documents are made is corpus_kit.py and
mailkit/.

Usage: python tools/make_matching_corpus.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path

import mailkit
from corpus_kit import (
    MAILERS,
    NEUTRAL_FILES,
    PREFIXES,
    Corpus,
    DocSpec,
    Entry,
    attach,
    document_for,
    ip4,
    letterhead,
    make_docx,
    make_pdf,
    make_xlsx,
    members_table,
    message_id_for,
    new_mail,
    pdf_lines,
    place_date,
    received_headers,
    sender,
    xlsx_rows,
)
from corpus_world import (
    GOV,
    MAX_CORPUS_BYTES,
    MAX_MESSAGE_BYTES,
    MX,
    OFFICE,
    OFFICE2,
    OFFICE_DOMAIN,
    OFFICE_FROM,
    OFFICE_TO,
    R160,
    R171,
    R178,
    R185,
    R192,
    REQUESTS,
    ROSTER,
    UNITS,
    UNITS_LIST,
    Req,
    Unit,
    nfd,
    person,
    wrap,
)
from mailkit import (
    ICT,
    at,
    cp1258_form,
    digest,
    html_of,
    make_zip,
    text_block,
    unaccent,
)
from mailkit.headers import (
    raw_address,
    raw_text_header,
)
from mailkit.replies import (
    Sender,
    forward_gmail_en,
    forward_gmail_vi,
    quote_gmail_en,
    quote_gmail_vi,
    quote_outlook,
)

# --------------------------------------------------------------------------- the notices

Case = Callable[[Corpus], None]  # one message (or a thread of them) and its label


NOTICE_TEXT = {
    "160": text_block("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Thực hiện chương trình công tác năm 2023, Ban Thường vụ Đoàn Khối Dân - Chính - Đảng
        Thành phố ban hành Kế hoạch tổ chức Ngày hội hiến máu tình nguyện “Giọt hồng Đoàn Khối”
        năm 2023, diễn ra từ 07g30 ngày 30/7/2023 tại Nhà Văn hóa Thanh niên (file đính kèm).

        Đề nghị các cơ sở Đoàn vận động đoàn viên, thanh niên tham gia và đăng ký danh sách (họ
        tên, năm sinh, nhóm máu, số điện thoại) về Văn phòng Đoàn Khối trước 17g00 ngày
        21/7/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "171": text_block("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Văn phòng Đoàn Khối gửi Công văn số 171-CV/ĐTN ngày 17/7/2023 của Ban Thường vụ Đoàn
        Khối về việc báo cáo sơ kết công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2023
        kèm đề cương báo cáo.

        Đề nghị các cơ sở Đoàn gửi báo cáo về Văn phòng Đoàn Khối trước 17g00 ngày 28/7/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "178": text_block("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Văn phòng Đoàn Khối gửi đến các đồng chí Thông báo số 178-TB/ĐTN ngày 03/8/2023 về việc
        tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm của Thành
        phố, tham gia hỗ trợ người dân thực hiện dịch vụ công trực tuyến, giải quyết thủ tục
        hành chính và xây dựng văn minh đô thị” (file đính kèm). Một số nội dung chính:

        - Lễ phát động: 08g00 ngày 11/8/2023 tại Hội trường B, Ủy ban nhân dân - Quận ủy Quận 3
        (99 Trần Quốc Thảo, Phường 7, Quận 3).
        - Phân công Đoàn Sở Nội vụ tuyên truyền văn hóa công vụ; Đoàn Sở Khoa học và Công nghệ
        tuyên truyền “Đổi mới sáng tạo trong khu vực công”; Chi đoàn Quỹ Phát triển nhà ở giới
        thiệu chương trình vay vốn nhà ở; thăm chiến sĩ tình nguyện tại Sở Xây dựng.
        - Thực hiện điểm cấp cơ sở: Đoàn Cục Thuế Thành phố, Đoàn Bảo hiểm Xã hội Thành phố,
        Đoàn Sở Kế hoạch và Đầu tư Thành phố, Đoàn Sở Tư pháp.

        Đề nghị các cơ sở Đoàn báo cáo kết quả thực hiện kèm hình ảnh về Văn phòng Đoàn Khối
        qua địa chỉ email này trước 11g00 ngày 11/8/2023 (thứ Sáu).

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "185": text_block("""
        Kính gửi các cơ sở Đoàn khối Kinh tế và khối Nội chính,

        Thực hiện Thông báo số 185-TB/ĐTN ngày 14/8/2023, Văn phòng Đoàn Khối đề nghị các cơ
        sở Đoàn đăng ký danh sách chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023
        (sáng 27/8/2023, ra quân làm sạch kênh Nhiêu Lộc - Thị Nghè), gồm họ tên, chức vụ, số
        điện thoại, gửi về Văn phòng trước 17g00 ngày 21/8/2023 (thứ Hai).

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "192": text_block("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Chào mừng 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9, Ban Thường vụ Đoàn Khối tổ chức
        Hội thi tìm hiểu lịch sử (Kế hoạch số 192-KH/ĐTN ngày 16/8/2023). Mỗi cơ sở Đoàn đăng ký
        01 đội thi gồm 04 thành viên (01 đội trưởng), gửi phiếu đăng ký về Văn phòng Đoàn Khối
        trước 17g00 ngày 25/8/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
}
OFFICE_SENDER = Sender("Văn phòng Đoàn Khối", OFFICE, "office")
NOTICE_SENT = {
    "160": at(7, 10, 8, 35, 12),
    "171": at(7, 17, 9, 12, 40),
    "178": at(8, 3, 15, 30, 5),
    "185": at(8, 14, 9, 5, 12),
    "192": at(8, 16, 8, 40, 2),
}


def notice_document(req: Req) -> tuple[str, bytes]:
    spec = DocSpec(
        "Nguyễn Trường Giang",
        req.issued,
        ("THÀNH ĐOÀN TP. HỒ CHÍ MINH", "BCH ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP"),
        f"Số: {req.id}",
        place_date(req.issued),
        ({"TB": "THÔNG BÁO", "KH": "KẾ HOẠCH", "CV": "CÔNG VĂN"}[req.kind], req.title),
        tuple(p for p in NOTICE_TEXT[req.number].split("\n\n")[1:-1]),
        (),
        "table",
        ("TM. BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "", "Nguyễn Trường Giang"),
    )
    return f"{req.id.replace('/', '-')} {req.title[:40].rstrip()}.pdf", make_pdf(
        pdf_lines(spec), req.issued
    )


def own_copy_of_notice(c: Corpus) -> None:
    for req in REQUESTS:
        when = NOTICE_SENT[req.number]
        msg = c.mail(
            f"own-{req.number}",
            OFFICE_SENDER,
            req.notice_subject,
            when,
            NOTICE_TEXT[req.number],
            files=[notice_document(req)],
            to=UNITS_LIST,
            message_id=req.notice_id,
            mailer="Zimbra 8.8.15_GA_4177 (ZimbraWebClient)",
        )
        c.add(
            f"own-copy-of-notice-{req.number}",
            msg,
            when,
            reason="own_address",
            case="own_address",
            note=f"the office's own copy of notice {req.id}",
        )


def own_reminder_names_five_units(c: Corpus) -> None:
    when = at(8, 10, 16, 20, 31)
    body = text_block("""
        Kính gửi các cơ sở Đoàn,

        Văn phòng Đoàn Khối nhắc các cơ sở Đoàn gửi báo cáo kết quả Ngày hoạt động cao điểm kèm
        hình ảnh (Thông báo 178-TB/ĐTN) trước 11g00 ngày mai 11/8/2023. Đến 16g00 hôm nay Văn
        phòng chưa nhận được báo cáo của: Chi đoàn Sở Du lịch, Chi đoàn Ban Dân tộc Thành phố,
        Đoàn Sở Giao thông vận tải, Chi đoàn Hội Nông dân Thành phố, Đoàn Cục Hải quan Thành phố.

        Trân trọng,
        Văn phòng Đoàn Khối
        """)
    msg = c.mail(
        "own-reminder-178",
        Sender("Văn phòng Đoàn Khối", OFFICE2, "office"),
        "Nhắc: báo cáo Ngày hoạt động cao điểm trước 11g00 ngày 11/8",
        when,
        body,
        to=UNITS_LIST,
        references=[R178.notice_id],
    )
    c.add(
        "own-reminder-names-five-units",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office's reminder naming the units still missing",
    )


def own_reply_to_a_unit_quoting_it(c: Corpus) -> None:
    vpub = UNITS["VPUB"]
    asked = at(8, 10, 14, 12, 9)
    question = (
        text_block("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Văn phòng UBND Thành phố xin gia hạn nộp báo cáo Ngày hoạt động cao điểm đến hết
        ngày 14/8/2023 do đơn vị đang phục vụ hội nghị.

        Trân trọng,
        """)
        + c.secretary(vpub).full
    )
    when = at(8, 10, 15, 5, 44)
    body = text_block("""
        Chào đồng chí,

        Văn phòng Đoàn Khối đồng ý gia hạn cho đơn vị đến 17g00 ngày 14/8/2023.

        Trân trọng,
        Văn phòng Đoàn Khối
        """) + quote_gmail_vi(sender("Đoàn Văn phòng UBND TP", vpub.email), asked, question)
    msg = c.mail(
        "own-reply-vpub",
        OFFICE_SENDER,
        "Re: Xin gia hạn nộp báo cáo Ngày hoạt động cao điểm",
        when,
        body,
        to=f"Đoàn Văn phòng UBND TP <{vpub.email}>",
        in_reply_to=f"<3f9b1d0a6c2e4875@{vpub.domain}>",
    )
    c.add(
        "own-reply-to-a-unit-quoting-it",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office answers VPUB; the quote names the unit",
    )


def own_forward_of_a_unit_report(c: Corpus) -> None:
    sdl = UNITS["SDL"]
    orig_when = at(8, 11, 10, 31, 2)
    orig_sender = sender("Chi đoàn Sở Du lịch", sdl.email)
    orig_subject = "Báo cáo Ngày hoạt động cao điểm - Chi đoàn Sở Du lịch"
    orig_text = text_block("""
        Kính gửi Văn phòng Đoàn Khối,
        Chi đoàn Sở Du lịch gửi báo cáo kết quả Ngày hoạt động cao điểm và hình ảnh.
        Trân trọng.
        """)
    when = at(8, 11, 14, 10, 9)
    body = (
        "Chuyển hộp thư chung: Chi đoàn Sở Du lịch gửi nhầm vào hộp thư cá nhân của mình.\n"
        + forward_gmail_en(
            orig_sender,
            orig_when,
            orig_subject,
            orig_text,
            to=f"Giang Nguyễn <giang.doankhoi@{OFFICE_DOMAIN}>",
        )
    )
    files = c.evidence(R178, sdl, orig_when, fmt="docx", photos=1)
    msg = c.mail(
        "own-forward-sdl",
        Sender("Văn phòng Đoàn Khối", OFFICE2, "office"),
        f"Fwd: {orig_subject}",
        when,
        body,
        files=files,
        to=OFFICE_TO,
    )
    c.add(
        "own-forward-of-a-unit-report",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office forwards SDL's report to its own box: own mail comes first",
    )


OWN_MAIL: tuple[Case, ...] = (
    own_copy_of_notice,
    own_reminder_names_five_units,
    own_reply_to_a_unit_quoting_it,
    own_forward_of_a_unit_report,
)


# --------------------------------------------------------------------------- not reports


def report_part(boundary: str, body: str) -> str:
    return f"--{boundary}\n{body.strip()}\n\n"


def dsn(
    key: str,
    *,
    frm: str,
    subject: str,
    when: datetime,
    human: str,
    status: str,
    recipient: str,
    original_headers: str,
    extra: str = "",
    report_type: str = "delivery-status",
    machine: str = "",
) -> bytes:
    b = f"000000000000{digest(key, 'b')[:16]}"
    ctype = (
        "message/delivery-status"
        if report_type == "delivery-status"
        else "message/disposition-notification"
    )
    machine = machine or (
        f"Reporting-MTA: dns; {frm.rsplit('@', 1)[-1].rstrip('>')}\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {status} {human.splitlines()[-1][:60]}"
    )
    head = (
        f"Return-Path: <>\n"
        f"Received: from mail.relay.example (mail.relay.example [{ip4(key, '203.0.113')}]) "
        f"by {MX} (Postfix) with ESMTPS id {digest(key, 'q')[:11].upper()} for <{OFFICE}>; "
        f"{format_datetime(when)}\n"
        f"From: {frm}\nTo: {OFFICE}\nSubject: {subject}\n"
        f"Date: {format_datetime(when - timedelta(seconds=3))}\n"
        f"Message-ID: <{digest(key, 'id')[:20]}@{frm.rsplit('@', 1)[-1].rstrip('>')}>\n"
        f"{extra}MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type};\n boundary="{b}"\n\n'
        "This is a MIME-encapsulated message.\n\n"
    )
    parts = (
        report_part(
            b,
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + human,
        )
        + report_part(b, f"Content-Type: {ctype}\n\n{machine}")
        + report_part(b, f"Content-Type: text/rfc822-headers\n\n{original_headers}")
        + f"--{b}--\n"
    )
    return (head + parts).encode("utf-8")


def notice_headers(req: Req, to: str) -> str:
    return (
        f"From: {raw_address(OFFICE_FROM, req.id)}\n"
        f"To: {to}\nSubject: {raw_text_header(req.notice_subject, req.id)}\n"
        f"Date: {format_datetime(NOTICE_SENT[req.number])}\n"
        f"Message-ID: {req.notice_id}\n"
    )


def bounce_postfix_notice_160_mailbox_full(c: Corpus) -> None:
    when = at(7, 10, 8, 35, 50)
    raw = dsn(
        "bounce-postfix",
        frm=f"Mail Delivery System <MAILER-DAEMON@{MX}>",
        subject="Undelivered Mail Returned to Sender",
        when=when,
        human=(
            "This is the mail system at host mx.doankhoi.example.gov.vn.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n\n"
            "<doanthanhnien@stnmt.example.gov.vn>: host mail.stnmt.example.gov.vn said:"
            "\n    552 5.2.2 Mailbox full"
        ),
        status="5.2.2",
        recipient="doanthanhnien@stnmt.example.gov.vn",
        original_headers=notice_headers(R160, "doanthanhnien@stnmt.example.gov.vn"),
        extra="Auto-Submitted: auto-replied\n",
    )
    c.add(
        "bounce-postfix-notice-160-mailbox-full",
        raw,
        when,
        reason="bounce",
        unit="STNMT",  # its roster address failed: the bounce carries its code (contract)
        case="bounce",
        note="Postfix DSN: notice 160 not delivered to STNMT (its roster address: the bounce "
        "carries its code)",
    )


def bounce_exchange_ndr_notice_192_tand(c: Corpus) -> None:
    when = at(8, 16, 8, 41, 30)
    raw = dsn(
        "bounce-exchange",
        frm=f"Microsoft Outlook <postmaster@toaan.{GOV}>",
        subject=f"Undeliverable: {R192.notice_subject}",
        when=when,
        human=(
            "Delivery has failed to these recipients or groups:\n\n"
            f"doanthanhnien@toaan.{GOV}\n"
            "The recipient's mailbox is full and can't accept messages now."
        ),
        status="5.2.2",
        recipient=f"doanthanhnien@toaan.{GOV}",
        original_headers=notice_headers(R192, f"doanthanhnien@toaan.{GOV}"),
    )
    c.add(
        "bounce-exchange-ndr-notice-192-tand",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Exchange NDR from TAND's server",
    )


def bounce_gmail_dsn_mistyped_member_address(c: Corpus) -> None:
    when = at(8, 10, 15, 7, 2)
    raw = dsn(
        "bounce-gmail",
        frm="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        when=when,
        human=(
            "** Không gửi được thư đến nguyenvana.stp@gmai.com **\n\n"
            "Không tìm thấy tên miền gmai.com.\nThe response was:\n"
            "DNS Error: DNS type 'mx' lookup of gmai.com responded with code NXDOMAIN"
        ),
        status="5.1.2",
        recipient="nguyenvana.stp@gmai.com",
        original_headers=(
            f"From: {OFFICE}\nTo: nguyenvana.stp@gmai.com\n"
            "Subject: Re: Doan So Tu phap hoi ve bao cao\n"
        ),
    )
    c.add(
        "bounce-gmail-dsn-mistyped-member-address",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Gmail DSN; the quoted headers name Sở Tư pháp",
    )


def bounce_qmail_failure_notice_quotes_notice_178(c: Corpus) -> None:
    when = at(8, 3, 15, 32, 40)
    body = (
        f"Hi. This is the qmail-send program at mail.sngv.{GOV}.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<doan.sngv@sngv.{GOV}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"From: {OFFICE}\nSubject: {unaccent(R178.notice_subject)}\n\n"
        + unaccent(NOTICE_TEXT["178"])
    )
    raw = (
        (
            f"Return-Path: <>\nReceived: from mail.sngv.{GOV} (mail.sngv.{GOV} "
            f"[{ip4('q', '203.0.113')}]) by {MX} (Postfix) with ESMTP id 4RGX2B1QZ for <{OFFICE}>; "
            f"{format_datetime(when)}\nFrom: MAILER-DAEMON@mail.sngv.{GOV}\nTo: {OFFICE}\n"
            f"Subject: failure notice\nDate: {format_datetime(when - timedelta(seconds=4))}\n"
            f"Message-ID: <20230803083236.qmail.4411@mail.sngv.{GOV}>\n\n{body}"
        )
        .replace("“", '"')
        .replace("”", '"')
        .encode("ascii", "replace")
    )
    c.add(
        "bounce-qmail-failure-notice-quotes-notice-178",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="qmail plain-text bounce quoting the notice (unit names inside)",
    )


def read_receipt_snv_notice_178(c: Corpus) -> None:
    snv = UNITS["SNV"]
    when = at(8, 4, 8, 2, 17)
    raw = dsn(
        "mdn-snv",
        frm=f"Doan Thanh nien So Noi vu <{snv.email}>",
        subject=f"Đã đọc: {R178.notice_subject}",
        when=when,
        human=(
            "Thư của bạn\n\nĐến: doanthanhnien@snv.example.gov.vn\n"
            f"Chủ đề: {R178.notice_subject}\n\nđã được đọc vào 04/08/2023 08:02."
        ),
        status="",
        recipient=snv.email,
        report_type="disposition-notification",
        original_headers=notice_headers(R178, snv.email),
        machine=(
            f"Reporting-UA: mail.snv.{GOV}; Microsoft Outlook 16.0\n"
            f"Final-Recipient: rfc822;{snv.email}\n"
            f"Original-Message-ID: {R178.notice_id}\n"
            "Disposition: manual-action/MDN-sent-manually; displayed"
        ),
    )
    c.add(
        "read-receipt-snv-notice-178",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="read receipt (MDN) from SNV's roster address",
    )


def read_receipt_vksnd_notice_171(c: Corpus) -> None:
    vks = UNITS["VKSND"]
    when = at(7, 18, 7, 55, 40)
    raw = dsn(
        "mdn-vks",
        frm=f"Doan TN VKSND TP <{vks.email}>",
        subject=f"Read: {R171.notice_subject}",
        when=when,
        human=(
            f"Your message\n\n  To: {vks.email}\n  Subject: {R171.notice_subject}\n\n"
            "was read on 18/07/2023 07:55."
        ),
        status="",
        recipient=vks.email,
        report_type="disposition-notification",
        original_headers=notice_headers(R171, vks.email),
        machine=(
            f"Reporting-UA: vks.{GOV}; Microsoft Exchange Server\n"
            f"Final-Recipient: rfc822;{vks.email}\n"
            f"Original-Message-ID: {R171.notice_id}\n"
            "Disposition: automatic-action/MDN-sent-automatically; displayed"
        ),
    )
    c.add(
        "read-receipt-vksnd-notice-171",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Outlook read receipt from VKSND's roster address, names notice 171",
    )


BOUNCES: tuple[Case, ...] = (
    bounce_postfix_notice_160_mailbox_full,
    bounce_exchange_ndr_notice_192_tand,
    bounce_gmail_dsn_mistyped_member_address,
    bounce_qmail_failure_notice_quotes_notice_178,
    read_receipt_snv_notice_178,
    read_receipt_vksnd_notice_171,
)


@dataclass(frozen=True, slots=True)
class AutoReply:
    """An auto-reply to one of the office's notices."""

    key: str
    address: str  # the unit's roster address (or a member's own)
    display: str
    subject: str
    when: datetime
    body: str
    headers: tuple[tuple[str, str], ...]
    note: str
    notice: Req


def send_auto_reply(row: AutoReply, c: Corpus) -> None:
    msg = c.mail(
        row.key,
        sender(row.display, row.address),
        row.subject,
        row.when,
        row.body,
        extra=row.headers,
        in_reply_to=row.notice.notice_id,
    )
    c.add(row.key, msg, row.when, reason="auto_reply", case="auto_reply", note=row.note)


ROSTER_AUTO_REPLIES = {
    "auto_reply_stc_header_auto_submitted": AutoReply(
        "auto-reply-stc-header-auto-submitted",
        UNITS["STC"].email,
        "Đoàn Sở Tài chính",
        f"Trả lời tự động: {R178.notice_subject}",
        at(8, 3, 15, 31, 9),
        text_block("""
            Cảm ơn quý đơn vị đã gửi thư. Đồng chí phụ trách hộp thư Đoàn Thanh niên Sở Tài chính
            đang nghỉ phép từ ngày 01/8 đến hết ngày 18/8/2023. Thư sẽ được xử lý khi đồng chí trở
            lại làm việc.
            """),
        (("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
        "Auto-Submitted: auto-replied, from STC's roster address",
        R178,
    ),
    "auto_reply_bhxh_outlook_automatic_reply": AutoReply(
        "auto-reply-bhxh-outlook-automatic-reply",
        UNITS["BHXH"].email,
        "Doan TN BHXH TP",
        f"Automatic reply: {R171.notice_subject}",
        at(7, 17, 9, 13, 2),
        "Tôi đang đi công tác đến 24/7/2023. Việc gấp xin liên hệ đ/c Hà, 0909 000 301.\n",
        (
            ("Auto-Submitted", "auto-generated"),
            ("X-Auto-Response-Suppress", "All"),
            ("X-MS-Exchange-Inbox-Rules-Loop", UNITS["BHXH"].email),
        ),
        "Outlook 'Automatic reply' from BHXH's roster address",
        R171,
    ),
    "auto_reply_hepza_subject_only": AutoReply(
        "auto-reply-hepza-subject-only",
        UNITS["HEPZA"].email,
        "Đoàn TN HEPZA",
        f"Trả lời tự động: {R185.notice_subject}",
        at(8, 14, 9, 5, 58),
        text_block("""
            Xin chào, hộp thư Đoàn Thanh niên Ban Quản lý các KCX-KCN đã nhận được thư của quý
            đơn vị. Chúng tôi sẽ phản hồi trong thời gian sớm nhất.
            """),
        (("X-Auto-Response-Suppress", "All"),),
        "Vietnamese Outlook auto-reply, recognisable by its subject only",
        R185,
    ),
    "auto_reply_ldld_x_autoreply": AutoReply(
        "auto-reply-ldld-x-autoreply",
        UNITS["LDLD"].email,
        "Đoàn LĐLĐ TP",
        f"Out of Office: {R192.notice_subject}",
        at(8, 16, 8, 41, 1),
        "I am out of the office until 21/8/2023. / Tôi vắng mặt đến ngày 21/8/2023.\n",
        (("X-Autoreply", "yes"), ("Precedence", "auto_reply")),
        "Zimbra out-of-office (X-Autoreply) from LĐLĐ",
        R192,
    ),
    "auto_reply_cuchq_precedence": AutoReply(
        "auto-reply-cuchq-precedence",
        UNITS["CUCHQ"].email,
        "Đoàn Cục Hải quan TP",
        f"Phản hồi tự động: {R178.notice_subject}",
        at(8, 3, 15, 32, 30),
        "Hộp thư Đoàn Cục Hải quan Thành phố đã nhận được thư. Xin cảm ơn.\n",
        (("Precedence", "auto_reply"),),
        "Precedence: auto_reply from CUCHQ's roster address",
        R178,
    ),
    "auto_reply_tand_body_only": AutoReply(
        "auto-reply-tand-body-only",
        UNITS["TAND"].email,
        "Doan TN TAND TP",
        f"Re: {R178.notice_subject}",
        at(8, 3, 15, 33, 51),
        text_block("""
            Đây là thư trả lời tự động. Hộp thư Đoàn Thanh niên Tòa án nhân dân Thành phố đã nhận
            được thư của quý đơn vị và sẽ chuyển đến bộ phận phụ trách.

            Trả lời tự động - vui lòng không phản hồi thư này.
            """),
        (),
        "auto-reply with no header mark: 'Trả lời tự động' only in the text",
        R178,
    ),
}


def auto_reply_gmail_vacation_member(c: Corpus) -> None:
    p, addr = c.member()
    row = AutoReply(
        "auto-reply-gmail-vacation-member",
        addr,
        p.full,
        f"Re: {R160.notice_subject}",
        at(7, 10, 8, 36, 40),
        text_block(f"""
             Em đang nghỉ phép đến hết ngày 16/7. Việc liên quan đến Chi đoàn Sở Du lịch xin anh
             chị liên hệ đồng chí {c.secretary(UNITS["SDL"]).full} ạ.

             {p.full}
             """),
        (("Auto-Submitted", "auto-replied"),),
        "Gmail vacation responder; the text names SDL",
        R160,
    )
    send_auto_reply(row, c)


def newsletter_precedence_bulk_names_units(c: Corpus) -> None:
    when = at(8, 7, 6, 0, 41)
    news = text_block("""
        BẢN TIN THÀNH ĐOÀN - SỐ 31/2023

        - Hơn 3.000 chiến sĩ tình nguyện ra quân Chiến dịch Kỳ Nghỉ Hồng lần thứ 22.
        - Đoàn Sở Y tế và Đoàn Sở Giáo dục và Đào tạo ra mắt mô hình “Cán bộ trẻ hỗ trợ dịch vụ
        công trực tuyến”.
        - Hội thi tìm hiểu lịch sử chào mừng Quốc khánh 2/9 mở đăng ký.

        Bạn nhận thư này vì đã đăng ký nhận bản tin. Hủy đăng ký: https://bantin.example.org/u/7f2c
        """)
    msg = c.mail(
        "newsletter-bulk",
        sender("Bản tin Thành Đoàn", "bantin@thanhdoan.example.org"),
        "Bản tin Thành Đoàn số 31/2023",
        when,
        news,
        html_body=True,
        extra=[("Precedence", "bulk"), ("List-Unsubscribe", "<https://bantin.example.org/u/7f2c>")],
    )
    c.add(
        "newsletter-precedence-bulk-names-units",
        msg,
        when,
        reason="auto_reply",
        case="auto_reply",
        note="newsletter with Precedence: bulk (contract: auto_reply); names SYT and SGDDT",
    )


AUTO_REPLIES: tuple[Case, ...] = (
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_stc_header_auto_submitted"]),
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_bhxh_outlook_automatic_reply"]),
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_hepza_subject_only"]),
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_ldld_x_autoreply"]),
    auto_reply_gmail_vacation_member,
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_cuchq_precedence"]),
    partial(send_auto_reply, ROSTER_AUTO_REPLIES["auto_reply_tand_body_only"]),
    newsletter_precedence_bulk_names_units,
)


def newsletter_without_bulk_header(c: Corpus) -> None:
    when = at(7, 24, 7, 1, 12)
    news = text_block("""
        TIN TỨC CẢI CÁCH HÀNH CHÍNH - TUẦN 30

        - Thành phố đẩy mạnh dịch vụ công trực tuyến toàn trình.
        - Hướng dẫn mới về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.

        Xem chi tiết: https://tintuc.example.org/cchc/tuan-30
        """)
    msg = c.mail(
        "newsletter-no-precedence",
        sender("Tin tức CCHC", "tin@tintuc.example.org"),
        "Tin tức cải cách hành chính tuần 30",
        when,
        news,
        html_body=True,
    )
    c.add(
        "newsletter-without-bulk-header",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="newsletter without Precedence; uses request 178 words but no unit",
    )


def advertisement_from_a_printer(c: Corpus) -> None:
    when = at(8, 8, 10, 14, 3)
    ad = text_block("""
        Kính gửi Quý cơ quan, đơn vị,

        Công ty chúng tôi chuyên in ấn băng rôn, phướn, áo Thanh niên Việt Nam, cờ Đoàn cho các
        hoạt động tình nguyện hè với giá ưu đãi. Giao hàng trong 24 giờ tại TP.HCM.

        Hotline: 0909 000 888
        """)
    msg = c.mail(
        "spam-printing",
        sender("In ấn Ánh Dương", "sales@inanhduong.example.com"),
        "Báo giá in băng rôn, áo Thanh niên cho Chiến dịch tình nguyện hè",
        when,
        ad,
    )
    c.add(
        "advertisement-from-a-printer",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="a vendor's advertisement",
    )


def gmail_report_template_never_names_its_unit(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 11, 9, 41, 27)
    files = c.evidence(
        R178, None, when, fmt="docx", name="Bao cao.docx", photos=2, name_in_body=False
    )
    msg = c.mail(
        "no-unit-anywhere",
        sender(p.full, addr),
        "Gửi báo cáo ạ",
        when,
        "Dạ em gửi báo cáo với hình ảnh ạ.\n\nĐược gửi từ iPhone của tôi\n",
        files=files,
    )
    c.add(
        "gmail-report-template-never-names-its-unit",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="member Gmail, report template with the unit left blank",
    )


def student_asks_to_volunteer(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 15, 21, 3, 40)
    msg = c.mail(
        "citizen-question",
        sender(p.full, addr),
        "Hỏi về đăng ký tham gia Ngày Chủ nhật xanh",
        when,
        text_block(f"""
                     Chào anh chị,

                     Em là sinh viên năm 3, em thấy thông tin Ngày Chủ nhật xanh trên trang của
                     Thành Đoàn. Cho em hỏi sinh viên có đăng ký tham gia được không ạ?

                     Em cảm ơn.
                     {p.full}
                     """),
    )
    c.add(
        "student-asks-to-volunteer",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="a student's question, not from a unit",
    )


def partner_quan_doan_3_names_so_xay_dung_as_venue(c: Corpus) -> None:
    when = at(8, 7, 16, 48, 5)
    body = text_block("""
        Kính gửi Văn phòng Đoàn Khối,

        Quận Đoàn 3 gửi kịch bản chi tiết Lễ phát động Ngày hoạt động cao điểm sáng 11/8/2023 tại
        Hội trường B, UBND - Quận ủy Quận 3 (99 Trần Quốc Thảo, P.7, Q.3), trong đó có phần thăm,
        tặng quà chiến sĩ tình nguyện tại Bộ phận một cửa Sở Xây dựng. Đề nghị Văn phòng góp ý
        trước ngày 09/8.

        Trân trọng,
        Ban Thường vụ Quận Đoàn 3
        """)
    files = [
        (
            "Kich ban Le phat dong 11.8.docx",
            make_docx(
                DocSpec(
                    "Quận Đoàn 3",
                    when,
                    ("THÀNH ĐOÀN TP. HỒ CHÍ MINH", "BCH QUẬN ĐOÀN 3"),
                    "",
                    place_date(when),
                    ("KỊCH BẢN", "Lễ phát động Ngày hoạt động cao điểm"),
                    (
                        "07g30: Đón tiếp đại biểu.",
                        "08g00: Văn nghệ chào mừng; tuyên bố lý do.",
                        "09g30: Thăm, tặng quà chiến sĩ tình nguyện tại Sở Xây dựng.",
                    ),
                    (),
                )
            ),
        )
    ]
    msg = c.mail(
        "partner-quan-doan-3",
        sender("Quận Đoàn 3", "quandoan3@q3.example.gov.vn"),
        "Kịch bản Lễ phát động Ngày hoạt động cao điểm 11/8",
        when,
        body,
        files=files,
    )
    c.add(
        "partner-quan-doan-3-names-so-xay-dung-as-venue",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="Quận Đoàn 3 (not in the roster); Sở Xây dựng is only a venue",
    )


NO_UNIT: tuple[Case, ...] = (
    newsletter_without_bulk_header,
    advertisement_from_a_printer,
    gmail_report_template_never_names_its_unit,
    student_asks_to_volunteer,
    partner_quan_doan_3_names_so_xay_dung_as_venue,
)


def ambiguous_joint_photos_two_so(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 11, 10, 47, 40)
    msg = c.mail(
        "amb-stc-sct",
        sender(p.full, addr),
        "Doan So Tai chinh va Doan So Cong Thuong gui hinh anh hoat dong cao diem",
        when,
        "Kinh gui Van phong Doan Khoi,\nHai don vi phoi hop to chuc tai Quan 3, em gui "
        f"hinh anh chung a.\n{unaccent(p.full)}\n",
        files=c.photos(2, when),
        cte="8bit",
    )
    c.add(
        "ambiguous-joint-photos-two-sở",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("SCT", "STC"),
        case="ambiguous_unit",
        note="joint photos of STC and SCT from a Gmail",
    )


def ambiguous_joint_report_pcc1_pcc2(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 11, 9, 58, 11)
    files = c.evidence(
        R178, None, when, fmt="docx", name="BC chung PCC.docx", photos=1, name_in_body=False
    )
    msg = c.mail(
        "amb-pcc",
        sender(p.full, addr),
        "Báo cáo chung Chi đoàn Phòng Công chứng số 1 và số 2 - ngày cao điểm",
        when,
        text_block("""
                     Kính gửi Văn phòng,

                     Hai chi đoàn Phòng Công chứng số 1 và số 2 cùng tổ chức hỗ trợ người dân tại
                     trụ sở, em gửi báo cáo chung của hai chi đoàn ạ.
                     """),
        files=files,
    )
    c.add(
        "ambiguous-joint-report-pcc1-pcc2",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("PCC1", "PCC2"),
        case="ambiguous_unit",
        note="one report for two notary offices ('số 1 và số 2')",
    )


def ambiguous_thanh_tra_so_which_so(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 22, 16, 2, 38)
    files = c.evidence(
        R192, None, when, fmt="docx", name="Phieu DK doi thi.docx", name_in_body=False
    )
    msg = c.mail(
        "amb-thanh-tra-so",
        sender(p.full, addr),
        "Chi đoàn Thanh tra Sở gửi phiếu đăng ký đội thi",
        when,
        "Dạ em gửi phiếu đăng ký đội thi của Chi đoàn Thanh tra Sở ạ.\n",
        files=files,
    )
    c.add(
        "ambiguous-thanh-tra-so-which-so",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("TTSGTVT", "TTSXD"),
        case="ambiguous_unit",
        note="'Chi đoàn Thanh tra Sở' without saying which Sở",
    )


def ambiguous_chi_cuc_thue_which_district(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 18, 15, 12, 6)
    files = c.evidence(R185, None, when, fmt="xlsx", name="DS CN xanh.xlsx", unit_row=False)
    msg = c.mail(
        "amb-chi-cuc-thue",
        sender(p.full, addr),
        "Chi đoàn Chi cục Thuế gửi danh sách Chủ nhật xanh",
        when,
        "Em gửi danh sách đăng ký Ngày Chủ nhật xanh của Chi đoàn Chi cục Thuế ạ.\n",
        files=files,
    )
    c.add(
        "ambiguous-chi-cuc-thue-which-district",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("CCTQ3", "CCTQ7"),
        case="ambiguous_unit",
        note="'Chi cục Thuế' without the district",
    )


def ambiguous_forwarded_joint_report_snv_skhcn(c: Corpus) -> None:
    p, addr = c.member()
    orig_p, orig_addr = c.member()
    orig_when = at(8, 11, 10, 2, 5)
    orig_text = text_block("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Nội vụ và Đoàn Sở Khoa học và Công nghệ phối hợp tổ chức tuyên truyền văn hóa
        công vụ và “Đổi mới sáng tạo trong khu vực công” tại Quận 3, gửi báo cáo liên tịch và
        hình ảnh.
        """)
    inner = c.mail(
        "amb-liên-tịch-inner",
        sender(orig_p.full, orig_addr),
        "Báo cáo liên tịch ngày cao điểm",
        orig_when,
        orig_text,
        files=c.photos(1, orig_when),
    )
    when = at(8, 11, 10, 40, 19)
    msg = new_mail(
        "amb-lien-tich", sender(p.full, addr), "Fwd: Báo cáo liên tịch ngày cao điểm", when
    )
    msg.set_content("Em chuyển tiếp giúp ạ.\n")
    msg.add_attachment(inner)
    c.add(
        "ambiguous-forwarded-joint-report-snv-skhcn",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("SKHCN", "SNV"),
        case="ambiguous_unit",
        note="forward (rfc822) of a joint report by two Sở, both equally its authors",
    )


def ambiguous_one_list_for_two_units_xlsx(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 19, 9, 22, 50)
    rows: list[list[object]] = [
        ["DANH SÁCH ĐĂNG KÝ THAM GIA NGÀY CHỦ NHẬT XANH THÁNG 8/2023"],
        [],
        ["STT", "Họ và tên", "Đơn vị", "Điện thoại"],
    ]
    for i in range(1, 9):
        q = person(c.rng)
        unit = "Kho bạc Nhà nước TP" if i <= 4 else "Cục Thống kê TP"
        rows.append(
            [i, q.full, unit, f"0909 {c.rng.randrange(100, 999)} {c.rng.randrange(100, 999)}"]
        )
    msg = c.mail(
        "amb-kbnn-cuctk",
        sender(p.full, addr),
        "Danh sách đăng ký chung CN xanh",
        when,
        "Em gửi danh sách đăng ký chung ạ.\n",
        files=[("DS dang ky chung.xlsx", make_xlsx(rows, when))],
    )
    c.add(
        "ambiguous-one-list-for-two-units-xlsx",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("CUCTK", "KBNN"),
        case="ambiguous_unit",
        note="one .xlsx list for KBNN and CUCTK members, from a Gmail",
    )


AMBIGUOUS: tuple[Case, ...] = (
    ambiguous_joint_photos_two_so,
    ambiguous_joint_report_pcc1_pcc2,
    ambiguous_thanh_tra_so_which_so,
    ambiguous_chi_cuc_thue_which_district,
    ambiguous_forwarded_joint_report_snv_skhcn,
    ambiguous_one_list_for_two_units_xlsx,
)


def no_request_contact_update_before_any_notice(c: Corpus) -> None:
    syt = UNITS["SYT"]
    when = at(7, 5, 9, 15, 2)
    msg = c.mail(
        "norq-syt",
        c.roster_sender(syt, display="Đoàn Sở Y tế"),
        "Cập nhật thông tin Ban Chấp hành Đoàn Sở Y tế",
        when,
        text_block(f"""
                     Kính gửi Văn phòng Đoàn Khối,

                     Đoàn Sở Y tế xin cập nhật thông tin liên hệ: đồng chí
                     {c.secretary(syt).full} được phân công làm Bí thư Đoàn từ ngày 01/7/2023,
                     số điện thoại 0909 000 245.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-contact-update-before-any-notice",
        msg,
        when,
        unit="SYT",
        reason="no_request",
        case="no_request",
        note="contact update before any notice",
    )


def no_request_borrowing_equipment(c: Corpus) -> None:
    vpub = UNITS["VPUB"]
    when = at(8, 22, 10, 31, 44)
    msg = c.mail(
        "norq-vpub",
        c.roster_sender(vpub),
        "Mượn âm thanh, loa kéo",
        when,
        text_block("""
                     Kính gửi Văn phòng Đoàn Khối,

                     Đoàn Văn phòng UBND Thành phố xin mượn 01 bộ loa kéo và 02 micro không dây
                     để tổ chức sinh hoạt chi đoàn ngày 25/8/2023. Đơn vị sẽ cử người nhận và
                     hoàn trả trong ngày.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-borrowing-equipment",
        msg,
        when,
        unit="VPUB",
        reason="no_request",
        case="no_request",
        note="asks to borrow equipment; several notices open",
    )


def no_request_invitation_after_all_closed(c: Corpus) -> None:
    hlhpn = UNITS["HLHPN"]
    when = at(9, 28, 14, 0, 9)
    msg = c.mail(
        "norq-hlhpn",
        c.roster_sender(hlhpn),
        "Thư mời dự Đại hội Chi đoàn",
        when,
        text_block("""
                     Kính gửi Ban Thường vụ Đoàn Khối,

                     Chi đoàn Hội Liên hiệp Phụ nữ Thành phố trân trọng kính mời đại diện Ban
                     Thường vụ Đoàn Khối dự Đại hội Chi đoàn nhiệm kỳ 2023 - 2024, lúc 14g00 ngày
                     05/10/2023 tại Hội trường Hội LHPN TP.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-invitation-after-all-closed",
        msg,
        when,
        unit="HLHPN",
        reason="no_request",
        case="no_request",
        note="an invitation; every notice closed",
    )


def no_request_asks_for_a_template(c: Corpus) -> None:
    stnmt = UNITS["STNMT"]
    when = at(8, 30, 9, 5, 17)
    msg = c.mail(
        "norq-stnmt",
        c.roster_sender(stnmt),
        "Xin mẫu báo cáo công tác tháng",
        when,
        "Dạ Văn phòng cho Đoàn Sở Tài nguyên và Môi trường xin mẫu báo cáo công tác "
        "tháng mới áp dụng từ tháng 9 ạ. Em cảm ơn.\n",
    )
    c.add(
        "no-request-asks-for-a-template",
        msg,
        when,
        unit="STNMT",
        reason="no_request",
        case="no_request",
        note="asks for a template; two notices open for it",
    )


def no_request_own_notice_of_new_committee(c: Corpus) -> None:
    sgtvt = UNITS["SGTVT"]
    when = at(8, 8, 14, 44, 30)
    roster = make_docx(
        DocSpec(
            c.secretary(sgtvt).full,
            when,
            letterhead(sgtvt),
            "Số: 21-TB/ĐTN",
            place_date(when),
            ("THÔNG BÁO", "Kết quả kiện toàn Ban Chấp hành Đoàn Sở nhiệm kỳ 2022 - 2027"),
            ("Ban Chấp hành Đoàn Sở Giao thông vận tải thông báo kết quả kiện toàn như sau:",),
            members_table(c.rng, 5, ("Họ và tên", "Chức vụ", "Điện thoại")),
        )
    )
    msg = c.mail(
        "norq-sgtvt",
        c.roster_sender(sgtvt),
        "Thông báo kiện toàn BCH Đoàn Sở GTVT",
        when,
        "Kính gửi Văn phòng Đoàn Khối,\nĐoàn Sở GTVT gửi thông báo kết quả kiện "
        "toàn BCH (file đính kèm).\nTrân trọng.\n",
        files=[("TB kien toan BCH Doan So GTVT.docx", roster)],
    )
    c.add(
        "no-request-own-notice-of-new-committee",
        msg,
        when,
        unit="SGTVT",
        reason="no_request",
        case="no_request",
        note="the unit's own notice '21-TB/ĐTN' (not a request of the office)",
    )


NO_REQUEST: tuple[Case, ...] = (
    no_request_contact_update_before_any_notice,
    no_request_borrowing_equipment,
    no_request_invitation_after_all_closed,
    no_request_asks_for_a_template,
    no_request_own_notice_of_new_committee,
)


# --------------------------------------------------------------------------- placeable mail

SUBJECTS = (
    "{U} báo cáo {C}",
    "Báo cáo {C} - {U}",
    "[{U}] Gửi báo cáo theo {ID}",
    "V/v {C} ({ID}) - {U}",
    "{UU} - {CU}",
    "{ID} - {U}",
    "Gửi {C} - {U}",
    "{U}: {C}",
)


def subject_from(c: Corpus, template: str, unit_text: str, req: Req) -> str:
    cue = c.cue(req, how="phrase")
    ident = c.cue(req, how="id")
    subject = template.format(U=unit_text, C=cue, ID=ident, UU=unit_text.upper(), CU=cue.upper())
    return re.sub(r"(?i)\b(báo cáo) báo cáo\b", r"\1", subject)


def cap(text: str) -> str:
    """First letter upper-case, the rest untouched ("TB số 185" stays as it is)."""
    return text[:1].upper() + text[1:]


def report_text(
    c: Corpus,
    req: Req,
    unit_text: str,
    *,
    cue: str | None = None,
    ident: str | None = None,
    photos: bool = False,
) -> str:
    """The one or two sentences a unit writes above its signature."""
    what = cue or c.cue(req, how="phrase")
    ref = f" theo {ident}" if ident else ""
    also = " và hình ảnh hoạt động" if photos else ""
    template = c.rng.choice(
        [
            "{U} gửi {W}{R}{A} (file đính kèm).",
            "{U} xin gửi {W}{R}{A}. Đơn vị gửi kèm file, nhờ Văn phòng kiểm tra giúp.",
            "Thực hiện chỉ đạo của Ban Thường vụ Đoàn Khối, {U} gửi {W}{R}{A} (đính kèm).",
            "{U} kính gửi Văn phòng {W}{R}{A}.",
        ]
    )
    return template.format(U=unit_text, W=what, R=ref, A=also)


def roster_plain(c: Corpus, n: int = 30) -> None:
    styles = ("name", "prefix-form", "form", "upper", "ascii", "name", "core", "form")
    for i in range(n):
        req = REQUESTS[(i + 2) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        style = styles[i % len(styles)]
        utext = c.unit_text(u, style)
        subject = subject_from(c, SUBJECTS[i % len(SUBJECTS)], utext, req)
        files = c.evidence(req, u, when)
        body_unit = u.name if c.rng.random() < 0.6 else c.unit_text(u, "prefix-form")
        ident = c.cue(req, how="id") if c.rng.random() < 0.4 else None
        text = report_text(c, req, body_unit, ident=ident, photos=req is R178)
        body = c.signed(f"{c.greeting()}\n\n{text}", c.secretary(u).full, f"Bí thư {u.name}")
        late = " late" if when > req.deadline else ""
        msg = c.mail(
            f"roster-{i}",
            c.roster_sender(u),
            subject,
            when,
            body,
            files=files,
            zone=c.zone(),
            mailer=c.rng.choice(MAILERS),
            html_body=i % 3 == 0,
        )
        c.add(
            f"roster-address-{u.code.lower()}-{req.number}{late.replace(' ', '-')}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="roster_address",
            note=f"from the roster address, subject names the unit ({style}){late}",
        )


GENERIC_SUBJECTS = [
    # (request, subject, where the request is named)
    (R178, "Gửi Văn phòng Đoàn Khối", "body-phrase"),
    (R171, "V/v gửi báo cáo", "body-id"),
    (R160, "Báo cáo", "file-text"),
    (R185, None, "body-phrase"),
    (R192, "Gui file", "file-name"),
    (R178, "Fw: báo cáo", "body-id"),
    (R171, "Gửi VP", "file-text"),
    (R185, "Kính gửi VP Đoàn Khối", "file-name"),
    (R192, "Báo cáo", "body-phrase"),
    (R178, "", "file-name"),
    (R160, "Gửi anh chị file", "body-id"),
    (R171, "Báo cáo đơn vị", "body-phrase"),
]


def generic_subject(c: Corpus) -> None:
    for i, (req, subject, where) in enumerate(GENERIC_SUBJECTS):
        u = c.pick(req=req)
        when = c.when(req)
        if where == "file-name":
            name = {
                "178": "Bao cao ngay cao diem 11-8.docx",
                "185": "DS Chu nhat xanh.xlsx",
                "192": "Phieu dang ky doi thi Hoi thi tim hieu.docx",
            }[req.number]
            files = c.evidence(
                req,
                u,
                when,
                name=name,
                with_id=False,
                fmt="xlsx" if name.endswith("xlsx") else "docx",
            )
        elif where == "file-text":
            files = c.evidence(req, u, when, name=c.rng.choice(NEUTRAL_FILES), fmt="docx")
        else:
            files = c.evidence(
                req, u, when, name=c.rng.choice(NEUTRAL_FILES), fmt="docx", with_id=False
            )
        if where == "body-phrase":
            text = report_text(c, req, "Đơn vị", photos=req is R178)
        elif where == "body-id":
            text = f"Đơn vị gửi báo cáo theo {c.cue(req, how='id')} (file đính kèm)."
        else:
            text = "Đơn vị gửi file đính kèm, nhờ anh chị kiểm tra giúp."
        body = c.signed(f"{c.greeting()}\n\n{text}", c.secretary(u).full)
        who = c.roster_sender(u, display=c.rng.choice(["", c.secretary(u).full]))
        msg = c.mail(f"generic-{i}", who, subject, when, body, files=files, zone=c.zone())
        c.add(
            f"roster-generic-subject-{u.code.lower()}-request-in-{where}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="generic_subject",
            note=f"roster address, subject {subject!r}, request named in {where}",
        )


THREAD_REPLIES = [
    # (request, sender kind, quote style, where the unit is named)
    (R178, "roster", "gmail-vi", "address"),
    (R178, "roster", "outlook-vi", "address"),
    (R178, "roster", "gmail-en", "address"),
    (R171, "roster", "outlook-en", "address"),
    (R160, "roster", "gmail-vi", "address"),
    (R192, "roster", "gmail-vi", "address"),
    (R178, "gmail", "gmail-vi", "docx-header"),
    (R178, "gmail", "outlook-vi", "signature"),
    (R185, "gmail", "gmail-vi", "xlsx-title"),
    (R171, "gmail", "gmail-en", "docx-header"),
    (R178, "roster", "edited-subject", "address"),
    (R192, "roster", "edited-subject", "address"),
    (R178, "roster", "tl-references-only", "address"),
    (R171, "roster", "tl-references-only", "address"),
    (R178, "gmail", "gmail-vi", "signature"),
    (R185, "roster", "outlook-en", "address"),
]


def thread_replies(c: Corpus) -> None:
    for i, (req, kind, style, where) in enumerate(THREAD_REPLIES):
        u = c.pick(req=req)
        when = c.when(req)
        notice = NOTICE_TEXT[req.number]
        sent = NOTICE_SENT[req.number]
        if style == "gmail-vi" or style == "edited-subject":
            quote = quote_gmail_vi(OFFICE_SENDER, sent, notice)
        elif style == "gmail-en":
            quote = quote_gmail_en(OFFICE_SENDER, sent, notice)
        elif style in ("outlook-vi", "tl-references-only"):
            quote = quote_outlook(
                OFFICE_SENDER, sent, req.notice_subject, notice, vi=True, to=UNITS_LIST
            )
        else:
            quote = quote_outlook(
                OFFICE_SENDER, sent, req.notice_subject, notice, vi=False, to=UNITS_LIST
            )
        if kind == "roster":
            who = c.roster_sender(u)
            own = c.rng.choice(
                [
                    "Đơn vị gửi báo cáo ạ.",
                    "Dạ, gửi Văn phòng file của đơn vị.",
                    "Kính gửi Văn phòng file đính kèm.",
                    "Đơn vị xin gửi ạ.",
                ]
            )
            files = c.evidence(req, u, when)
            body = c.signed(own, c.secretary(u).full)
        else:
            p, addr = c.member()
            who = sender(p.full, addr)
            if where == "docx-header":
                files = c.evidence(
                    req, u, when, fmt="docx", name=c.rng.choice(NEUTRAL_FILES), name_in_body=False
                )
                body = f"Dạ em gửi báo cáo ạ.\n\n{p.given}\n"
            elif where == "xlsx-title":
                files = c.evidence(req, u, when, fmt="xlsx", name="DS dang ky.xlsx")
                body = f"Em gửi danh sách ạ.\n{p.full}\n"
            else:
                files = c.evidence(
                    req,
                    None,
                    when,
                    fmt="docx",
                    name=c.rng.choice(NEUTRAL_FILES),
                    name_in_body=False,
                )
                body = f"Dạ em gửi báo cáo ạ.\n\n{p.full}\n{c.unit_text(u, 'prefix-form')}\n"
        if style == "edited-subject":
            subject = c.rng.choice(["Báo cáo ạ", "Gửi báo cáo", "file đính kèm"])
        elif style == "tl-references-only":
            subject = f"TL: {req.notice_subject}"
        elif style.startswith("outlook"):
            subject = f"RE: {req.notice_subject}"
        else:
            subject = f"Re: {req.notice_subject}"
        only_refs = style == "tl-references-only"
        msg = c.mail(
            f"thread-{i}",
            who,
            subject,
            when,
            body + quote,
            files=files,
            zone=c.zone(),
            in_reply_to=None if only_refs else req.notice_id,
            references=[req.notice_id] if only_refs else [],
        )
        c.add(
            f"reply-in-thread-{req.number}-{style}-{kind}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="reply_in_thread",
            note=f"reply to notice {req.number} quoting it ({style}); unit by {where}",
        )


GMAIL_SUBJECT_STYLES = (
    "ascii",
    "form",
    "prefix-form",
    "upper",
    "typo-marks",
    "typo-tone",
    "old-tone",
    "nfd",
    "spacing",
    "lower-ascii",
    "ascii",
    "prefix-form",
    "form",
)

OLD_TONE_UNITS = (
    "SVHTT",
    "VPUB",
    "UBKTTU",
    "TAND",
    "MTTQ",
    "VPTU",
    "BTCTU",
    "CCDS",
    "BDVTU",
    "BTGTU",
)


def gmail_subject(c: Corpus) -> None:
    for i in range(26):
        style = GMAIL_SUBJECT_STYLES[i % len(GMAIL_SUBJECT_STYLES)]
        req = REQUESTS[i % 5]
        if style == "old-tone":
            u = c.pick(where=OLD_TONE_UNITS, req=req)
        elif style == "typo-tone":
            u = c.pick(where=("SKHDT", "CCDS", "SVHTT", "TAND", "VPUB"), req=req)
        else:
            u = c.pick(req=req)
        when = c.when(req)
        utext = c.unit_text(u, style)
        ascii_only = style in ("ascii", "lower-ascii")
        cue = c.cue(req)
        template = c.rng.choice(
            ["{U} gửi {C}", "{U} - {C}", "{C} ({U})", "Gửi {C} - {U}", "{C} - {U}"]
        )
        subject = template.format(U=utext, C=cue)
        subject = subject[:1].upper() + subject[1:]
        if ascii_only:
            subject = unaccent(subject)
        if style == "upper":
            subject = subject.upper()
        p, addr = c.member()
        neutral = c.rng.random() < 0.6
        files = c.evidence(
            req,
            None if neutral else u,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=not neutral,
            unit_row=not neutral,
        )
        text = (
            "Da em gui file dinh kem a."
            if ascii_only
            else c.rng.choice(
                [
                    "Dạ em gửi file đính kèm ạ.",
                    "Em gửi anh chị ạ.",
                    "Dạ em gửi báo cáo, anh chị kiểm tra giúp em nhé.",
                ]
            )
        )
        body = c.signed(
            f"{c.greeting(ascii_only=ascii_only)}\n\n{text}",
            unaccent(p.full) if ascii_only else p.full,
            ascii_only=ascii_only,
        )
        msg = c.mail(
            f"gsubj-{i}",
            sender(p.full if i % 4 else "", addr),
            subject,
            when,
            body,
            files=files,
            zone=c.zone(),
            cte="8bit" if ascii_only else "quoted-printable",
        )
        c.add(
            f"gmail-name-in-subject-{style}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_subject",
            note=f"member Gmail; unit only in the subject, written {style}"
            + ("" if neutral else " (and in its own document)"),
        )


GMAIL_BODY_KINDS = (
    "sentence",
    "signature",
    "wrapped",
    "html-nbsp",
    "sentence",
    "signature",
    "wrapped",
    "ascii",
    "sentence",
    "html-nbsp",
    "signature",
    "abbrev",
    "wrapped",
    "sentence",
)


def gmail_body(c: Corpus) -> None:
    for i, kind in enumerate(GMAIL_BODY_KINDS):
        req = REQUESTS[(i + 1) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        subject = c.rng.choice(
            [f"Gửi {c.cue(req)}", cap(c.cue(req)), f"V/v {c.cue(req, how='phrase')}"]
        )
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        if kind == "signature":
            text = "Dạ em gửi file đính kèm ạ."
            body = f"{c.greeting()}\n\n{text}\n\nTrân trọng,\n--\n{p.full}\nỦy viên BCH {u.name}\n"
        elif kind == "ascii":
            subject = unaccent(subject)
            text = report_text(c, req, unaccent(u.name), cue=unaccent(c.cue(req, how="phrase")))
            body = f"{c.greeting(ascii_only=True)}\n\n{unaccent(text)}\n\n{unaccent(p.full)}\n"
        elif kind == "abbrev":
            text = report_text(c, req, c.unit_text(u, "prefix-form"), photos=req is R178)
            body = c.signed(f"{c.greeting()}\n\n{text}", p.full)
        else:
            intro = (
                f"Em là {p.full}, phụ trách công tác văn phòng của {u.name}. "
                if c.rng.random() < 0.5
                else ""
            )
            text = intro + report_text(c, req, u.name, photos=req is R178)
            body = c.signed(f"{c.greeting()}\n\n{text}", p.full)
            if kind == "wrapped":
                body = wrap(body, c.rng.choice([60, 66, 72]))
        html_body: str | bool = False
        if kind == "html-nbsp":
            html_body = html_of(body, nbsp_names=[u.name])
        msg = c.mail(
            f"gbody-{i}",
            sender(p.full, addr),
            subject,
            when,
            body,
            files=files,
            html_body=html_body,
            zone=c.zone(),
        )
        c.add(
            f"gmail-name-in-body-{kind}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_body",
            note=f"member Gmail; unit only in the body ({kind})",
        )


def gmail_display(c: Corpus) -> None:
    for i in range(9):
        req = REQUESTS[(i + 3) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        display = c.rng.choice(
            [
                f"{c.unit_text(u, 'prefix-form')}",
                f"{p.given} - BCH {u.name}",
                unaccent(f"{c.rng.choice(PREFIXES[u.kind])} {u.core}"),
                f"{u.name} ({p.full})",
                f"{p.full} | {c.unit_text(u, 'form')}",
            ]
        )
        subject = c.rng.choice([f"Gửi {c.cue(req)}", cap(c.cue(req))])
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        body = c.signed(f"{c.greeting()}\n\nDạ em gửi file ạ.", p.given)
        msg = c.mail(
            f"gdisp-{i}", sender(display, addr), subject, when, body, files=files, zone=c.zone()
        )
        c.add(
            f"gmail-name-in-display-name-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_display_name",
            note=f"member Gmail; unit only in the display name {display!r}",
        )


def gmail_filename(c: Corpus) -> None:
    for i in range(9):
        req = REQUESTS[i % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        token = c.rng.choice(
            [
                u.name,
                unaccent(u.name),
                c.unit_text(u, "prefix-form"),
                unaccent(c.unit_text(u, "form")),
                u.core,
            ]
        )
        doc = {
            "160": "DS hien mau",
            "171": "BC so ket 6 thang",
            "178": "BC ngay cao diem",
            "185": "DS Chu nhat xanh",
            "192": "Phieu DK doi thi",
        }[req.number]
        fmt = "xlsx" if req.number in ("160", "185") else c.rng.choice(["docx", "docx", "pdf"])
        name = c.rng.choice([f"{doc} - {token}.{fmt}", f"{token}_{doc}.{fmt}"])
        if i == 4:
            name = nfd(name)
        if i == 7 and u.forms:
            name = f"{u.forms[-1]}_{req.number}.{fmt}"
            token = u.forms[-1]
        files = c.evidence(req, None, when, fmt=fmt, name=name, name_in_body=False, unit_row=False)
        if req is R178 and i % 2 == 0:
            photos = make_zip(c.photos(2, when), when)
            files = [*files[:1], (f"Hinh anh - {unaccent(token)}.zip", photos)]
        subject = c.rng.choice(["Gửi báo cáo", "Gửi file", "Báo cáo", "Gửi VP Đoàn Khối"])
        body = c.signed(f"{c.greeting()}\n\nEm gửi file đính kèm ạ.", p.full)
        msg = c.mail(
            f"gfile-{i}", sender(p.full, addr), subject, when, body, files=files, zone=c.zone()
        )
        c.add(
            f"gmail-name-in-file-name-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_filename",
            note=f"member Gmail; unit only in the attachment's name ({token!r})"
            + (", NFD" if i == 4 else ""),
        )


ATTACHMENT_TEXTS = [
    ("docx", "table", R178),
    ("docx", "table", R171),
    ("docx", "table", R192),
    ("docx", "table", R178),
    ("docx", "table", R171),
    ("docx", "section", R178),
    ("docx", "section", R171),
    ("docx", "lines", R192),
    ("docx", "lines", R178),
    ("pdf", "", R171),
    ("pdf", "", R178),
    ("pdf", "", R192),
    ("pdf", "", R160),
    ("xlsx", "", R160),
    ("xlsx", "", R185),
    ("xlsx-inline", "", R185),
]


def attachment_text(c: Corpus) -> None:
    for i, (fmt, layout, req) in enumerate(ATTACHMENT_TEXTS):
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        name = (
            c.rng.choice(NEUTRAL_FILES)
            if fmt == "docx"
            else {
                "pdf": c.rng.choice(["Bao cao.pdf", "BC.pdf", "scan_ban_ky.pdf", "Document1.pdf"]),
                "xlsx": "Danh sach.xlsx",
                "xlsx-inline": "export_danhsach.xlsx",
            }[fmt]
        )
        spec_layout = layout or "table"
        if fmt == "xlsx-inline":
            made = when - timedelta(minutes=40)
            spec = document_for(req, u, c.rng, made)
            files = [(name, make_xlsx(xlsx_rows(spec), made, shared_strings=False))]
        else:
            files = c.evidence(
                req,
                u,
                when,
                fmt=fmt,
                name=name,
                layout=spec_layout,
                name_in_body=i % 3 == 0,
                photos=1 if req is R178 else 0,
            )
        subject = c.rng.choice(
            ["Báo cáo", "Gửi VP", f"Gửi {c.cue(req)}", "Gửi file ạ", cap(c.cue(req))]
        )
        body = c.signed(f"{c.greeting()}\n\nDạ em gửi file đính kèm ạ.", p.full)
        msg = c.mail(
            f"gatt-{i}", sender(p.full, addr), subject, when, body, files=files, zone=c.zone()
        )
        where = {
            "table": "the letterhead table",
            "section": "the Word page header",
            "lines": "letterhead lines",
        }.get(layout, "its text")
        c.add(
            f"gmail-name-only-inside-{fmt}-{layout or 'text'}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case=f"name_in_{fmt.split('-')[0]}",
            note=f"member Gmail; unit only inside the {fmt} ({where}, 'Số: ..' line)",
        )


@dataclass(frozen=True, slots=True)
class Original:
    """A unit's message as first written, before someone forwards it."""

    who: Sender
    subject: str
    text: str
    when: datetime
    files: list[tuple[str, bytes]]


def original_from(c: Corpus, u: Unit, req: Req, when: datetime, *, by: str) -> Original:
    """by: "roster" (the unit's own address), "gmail-subject" (a member's Gmail, the unit named
    in the subject), "gmail-body" (named in the body's signature)."""
    sent = c.moment(
        max(when - timedelta(hours=30), req.issued + timedelta(hours=2)),
        when - timedelta(minutes=12),
    )
    files = c.evidence(
        req,
        u if by == "roster" else None,
        sent,
        name_in_body=by == "roster",
        unit_row=by == "roster",
        name=None
        if by == "roster"
        else c.rng.choice(NEUTRAL_FILES)
        if req.number in ("171", "178", "192")
        else None,
    )
    cue = c.cue(req, how="phrase")
    if by == "roster":
        who = c.roster_sender(u)
        subject = f"{cue[:1].upper()}{cue[1:]} - {c.unit_text(u, 'name')}"
        text = c.signed(
            f"{c.greeting()}\n\n{report_text(c, req, u.name, cue=cue)}", c.secretary(u).full
        )
    else:
        p, addr = c.member()
        who = sender(p.full, addr)
        if by == "gmail-subject":
            subject = f"{c.unit_text(u, 'prefix-form')} gửi {cue}"
            text = c.signed(f"{c.greeting()}\n\nEm gửi file đính kèm ạ.", p.full)
        else:
            subject = cue[:1].upper() + cue[1:]
            text = (
                f"{c.greeting()}\n\nEm gửi file đính kèm ạ.\n\nTrân trọng,\n{p.full}\n"
                f"Phó Bí thư {u.name}\n"
            )
    return Original(who, subject, text, sent, files)


RFC822_FORWARDS = [
    (R178, "roster", "member"),
    (R171, "roster", "member"),
    (R185, "roster", "member"),
    (R160, "gmail-subject", "member"),
    (R192, "gmail-body", "member"),
    (R178, "roster", "office-staff-gmail"),
    (R171, "roster", "staff-work-address"),
    (R178, "roster", "same-unit"),
]


def forward_rfc822_original(c: Corpus) -> None:
    # --- forwarded as an attachment (message/rfc822)
    for i, (req, by, forwarder) in enumerate(RFC822_FORWARDS):
        u = c.pick(req=req)
        when = c.when(req)
        orig = original_from(c, u, req, when, by=by)
        inner = c.mail(
            f"rfc-inner-{i}",
            orig.who,
            orig.subject,
            orig.when,
            orig.text,
            files=orig.files,
            to="Văn phòng Đoàn Khối <doankhoi@tphcm.example.vn>",
        )
        if forwarder == "member":
            p, addr = c.member()
            who = sender(p.full, addr)
            text = c.rng.choice(
                [
                    "Em chuyển tiếp thư của đơn vị ạ.",
                    "Dạ thư này đơn vị gửi nhầm địa chỉ cũ, em gửi lại ạ.",
                    "Fwd giúp ạ.",
                ]
            )
        elif forwarder == "office-staff-gmail":
            who = sender("Giang Nguyễn", "giang.doankhoi@gmail.com")
            text = "Chuyển vào hộp thư chung (đơn vị gửi vào mail cá nhân của mình)."
        elif forwarder == "staff-work-address":
            p = person(c.rng)
            who = sender(
                p.full, f"{unaccent(p.given).lower()}.{unaccent(p.family).lower()}@{u.domain}"
            )
            text = "Em gửi lại thư đã gửi tuần trước (đính kèm) ạ."
        else:
            who = c.roster_sender(u)
            text = (
                "Đơn vị gửi lại thư đã gửi sáng nay vào địa chỉ cũ của Đoàn Khối "
                "(thư gốc đính kèm)."
            )
        msg = new_mail(f"rfc-{i}", who, f"Fwd: {orig.subject}", when, zone=c.zone())
        msg.set_content(c.signed(text, who.name or "Em"))
        msg.add_attachment(inner)
        c.add(
            f"forward-rfc822-{forwarder}-original-{by}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="forward_rfc822",
            note=f"forwarded as attachment by {forwarder}; the original is from {by}",
        )


INLINE_FORWARDS = [
    ("gmail-en", R178, "roster"),
    ("gmail-en", R171, "roster"),
    ("gmail-en", R160, "roster"),
    ("gmail-en", R192, "gmail-subject"),
    ("gmail-en", R185, "gmail-subject"),
    ("gmail-en", R178, "gmail-body"),
    ("gmail-vi", R178, "roster"),
    ("gmail-vi", R192, "roster"),
    ("gmail-vi", R171, "roster"),
    ("gmail-vi", R160, "gmail-subject"),
    ("gmail-vi-unlocalized", R178, "gmail-subject"),
    ("gmail-vi", R185, "gmail-body"),
    ("outlook-en", R178, "roster"),
    ("outlook-en", R171, "gmail-subject"),
    ("outlook-en", R192, "roster"),
    ("outlook-vi", R178, "roster"),
    ("outlook-vi", R185, "roster"),
    ("outlook-vi", R160, "gmail-body"),
]


def forward_inline_original(c: Corpus) -> None:
    # --- inline forwards: Gmail English, Gmail Vietnamese, Outlook English and Vietnamese
    for i, (style, req, by) in enumerate(INLINE_FORWARDS):
        u = c.pick(req=req)
        when = c.when(req)
        orig = original_from(c, u, req, when, by=by)
        if style.startswith("outlook") and c.rng.random() < 0.5:
            p = person(c.rng)
            who = sender(
                p.full, f"{unaccent(p.given).lower()}{unaccent(p.family[0]).lower()}@{u.domain}"
            )
        else:
            p, addr = c.member()
            who = sender(p.full, addr)
        if style == "gmail-en":
            block = forward_gmail_en(orig.who, orig.when, orig.subject, orig.text, to=OFFICE_TO)
            subject = f"Fwd: {orig.subject}"
        elif style.startswith("gmail-vi"):
            block = forward_gmail_vi(
                orig.who,
                orig.when,
                orig.subject,
                orig.text,
                localized=style == "gmail-vi",
                to=OFFICE_TO,
            )
            subject = f"Fwd: {orig.subject}"
        else:
            block = quote_outlook(
                orig.who, orig.when, orig.subject, orig.text, vi=style == "outlook-vi", to=OFFICE_TO
            )
            subject = f"{'CT' if style == 'outlook-vi' else 'FW'}: {orig.subject}"
        own = c.rng.choice(
            [
                "Em chuyển tiếp báo cáo của đơn vị ạ.",
                "Dạ, thư đơn vị gửi vào địa chỉ cũ, em chuyển lại ạ.",
                "Chuyển tiếp để Văn phòng tổng hợp.",
                "",
            ]
        )
        msg = c.mail(
            f"inline-{i}",
            who,
            subject,
            when,
            f"{own}\n{block}",
            files=orig.files,
            zone=c.zone(),
            html_body=style.startswith("outlook") and i % 2 == 0,
        )
        c.add(
            f"forward-inline-{style}-original-{by}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="forward_outlook"
            if style.startswith("outlook")
            else f"forward_inline_{style[:8].replace('-', '_')}",
            note=f"inline forward ({style}); the original is from {by}",
        )


PARENT_CHILD_FORWARDS = [
    ("SXD", "TTSXD", R178, "outlook-vi"),
    ("STP", "PCC1", R171, "rfc822"),
    ("SGTVT", "TTSGTVT", R192, "gmail-vi"),
]


def forward_by_parent_unit_of_a_child(c: Corpus) -> None:
    # --- forwarded by another unit's roster address: judged by the original
    for parent_code, child_code, req, style in PARENT_CHILD_FORWARDS:
        parent, child = UNITS[parent_code], UNITS[child_code]
        when = c.when(req)
        by = "gmail-subject" if child_code == "TTSGTVT" else "roster"
        orig = original_from(c, child, req, when, by=by)
        who = c.roster_sender(parent, display=parent.name)
        own = (
            f"{parent.name} chuyển tiếp báo cáo của {child.name} (chi đoàn trực thuộc) "
            "để Văn phòng tổng hợp."
        )
        if style == "rfc822":
            inner = c.mail(
                f"other-inner-{child_code}",
                orig.who,
                orig.subject,
                orig.when,
                orig.text,
                files=orig.files,
            )
            msg = new_mail(f"other-{child_code}", who, f"Fwd: {orig.subject}", when)
            msg.set_content(c.signed(own, c.secretary(parent).full))
            msg.add_attachment(inner)
        else:
            block = (
                quote_outlook(orig.who, orig.when, orig.subject, orig.text, vi=True, to=OFFICE_TO)
                if style == "outlook-vi"
                else forward_gmail_vi(orig.who, orig.when, orig.subject, orig.text, to=OFFICE_TO)
            )
            msg = c.mail(
                f"other-{child_code}",
                who,
                f"Fwd: {orig.subject}",
                when,
                c.signed(own, c.secretary(parent).full) + block,
                files=orig.files,
            )
        c.add(
            f"forward-by-parent-unit-{parent_code.lower()}-of-{child_code.lower()}-{req.number}",
            msg,
            when,
            unit=child_code,
            requests=[req],
            case="forward_by_other_unit",
            note=f"{parent_code}'s roster address forwards {child_code}'s original ({style})",
        )


def forward_of_a_forward_178(c: Corpus) -> None:
    # --- a forward of a forward: the innermost original decides
    u = c.pick(req=R178)
    when = c.on_time(R178)
    orig = original_from(c, u, R178, when, by="roster")
    p1, a1 = c.member()
    mid_when = orig.when + timedelta(minutes=25)
    middle = "Em chuyển chị Lan báo cáo của đơn vị ạ.\n" + forward_gmail_en(
        orig.who, orig.when, orig.subject, orig.text, to=OFFICE_TO
    )
    p2, a2 = c.member()
    body = "Gửi Văn phòng thư chuyển tiếp bên dưới.\n" + forward_gmail_en(
        sender(p1.full, a1), mid_when, f"Fwd: {orig.subject}", middle, to=f"{p2.full} <{a2}>"
    )
    msg = c.mail(
        "fwdfwd", sender(p2.full, a2), f"Fwd: Fwd: {orig.subject}", when, body, files=orig.files
    )
    c.add(
        f"forward-of-a-forward-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="forward_of_forward",
        note="two Gmail forwards nested; the innermost original is the unit's roster mail",
    )


def unit_forwards_the_notice_back_with_a_question(c: Corpus) -> None:
    # --- a unit forwards the notice back with a question (placed, no evidence)
    u = c.pick(req=R178)
    when = at(8, 7, 10, 12, 40)
    block = forward_gmail_vi(
        OFFICE_SENDER, NOTICE_SENT["178"], R178.notice_subject, NOTICE_TEXT["178"], to=u.email
    )
    msg = c.mail(
        "fwd-notice-question",
        c.roster_sender(u),
        f"Fwd: {R178.notice_subject}",
        when,
        c.signed(
            "Dạ Văn phòng cho đơn vị hỏi: đơn vị tổ chức hoạt động tại trụ sở "
            "riêng thì báo cáo theo mẫu nào ạ?",
            c.secretary(u).full,
        )
        + block,
    )
    c.add(
        f"unit-forwards-the-notice-back-with-a-question-{u.code.lower()}",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="forward_of_notice",
        note="the unit (roster address) forwards notice 178 with a question; "
        "the original is the office's",
    )


FORWARDS: tuple[Case, ...] = (
    forward_rfc822_original,
    forward_inline_original,
    forward_by_parent_unit_of_a_child,
    forward_of_a_forward_178,
    unit_forwards_the_notice_back_with_a_question,
)


LATE_ANSWERS = [
    (R160, at(7, 24, 8, 0), at(8, 4, 17, 0), "phrase"),
    (R160, at(8, 3, 9, 0), at(8, 14, 17, 0), "file"),
    (R171, at(8, 1, 8, 0), at(8, 10, 17, 0), "phrase"),
    (R171, at(8, 7, 8, 0), at(8, 18, 17, 0), "id"),
    (R171, at(8, 14, 8, 0), at(8, 21, 17, 0), "paraphrase"),
    (R171, at(8, 4, 8, 0), at(8, 11, 17, 0), "file"),
    (R178, at(8, 14, 8, 0), at(8, 22, 17, 0), "phrase"),
    (R178, at(8, 16, 8, 0), at(8, 25, 17, 0), "id"),
]


def late_answer_to_older_notice(c: Corpus) -> None:
    # late answers to an older notice, while newer ones are open
    for i, (req, start, end, how) in enumerate(LATE_ANSWERS):
        u = c.pick(req=req)
        when = c.moment(start, end)
        if how == "id":
            subject = f"Gửi muộn báo cáo theo {c.cue(req, how='id')}"
        elif how == "paraphrase":
            subject = "Báo cáo 6 tháng (gửi trễ)"
        elif how == "file":
            subject = "Gửi bổ sung"
        else:
            subject = f"(Gửi trễ) {c.cue(req, how='phrase')}"
        files = c.evidence(req, u, when, with_id=how != "paraphrase")
        text = "Đơn vị xin lỗi vì gửi trễ hạn." + (
            " " + report_text(c, req, u.name) if how != "file" else ""
        )
        if i % 2 == 0:
            who = c.roster_sender(u)
            signer = c.secretary(u).full
        else:
            p, addr = c.member()
            who = sender(f"{p.full} - {c.unit_text(u, 'prefix-form')}", addr)
            signer = p.full
        body = c.signed(f"{c.greeting()}\n\n{text}", signer)
        msg = c.mail(f"late-{i}", who, subject, when, body, files=files, zone=c.zone())
        c.add(
            f"late-answer-to-older-notice-{req.number}-{how}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="old_notice",
            note=f"late answer to notice {req.number} ({how}) while newer notices are open",
        )


REQUEST_PAIRS = [
    (R171, R178, at(8, 10, 15, 22, 4)),
    (R185, R192, at(8, 19, 10, 3, 51)),
    (R160, R171, at(7, 21, 16, 40, 27)),
]


def two_requests_in_one_mail(c: Corpus) -> None:
    # one message answering two notices
    for i, (a, b, when) in enumerate(REQUEST_PAIRS):
        u = c.pick(req=a) if a is R185 else c.pick(req=b)
        ida, idb = c.cue(a, how="id"), c.cue(b, how="id")
        subject = f"{u.name} gửi báo cáo theo {ida} và {idb}"
        files = c.evidence(a, u, when, photos=0) + c.evidence(b, u, when)
        body = c.signed(
            f"{c.greeting()}\n\n{u.name} gửi cùng lúc hai nội dung: "
            f"{c.cue(a, how='phrase')} ({ida}) và {c.cue(b, how='phrase')} ({idb}).",
            c.secretary(u).full,
        )
        msg = c.mail(f"two-{i}", c.roster_sender(u), subject, when, body, files=files)
        c.add(
            f"two-requests-in-one-mail-{a.number}-{b.number}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[a, b],
            case="two_requests",
            note=f"answers {a.id} and {b.id} at once (both ids named)",
        )


def old_thread_160_reused_for_a_later_notice(c: Corpus) -> None:
    # an old thread reused for a new notice: the id written in the message wins
    for i, (req, when) in enumerate([(R192, at(8, 21, 9, 40, 12)), (R185, at(8, 17, 14, 2, 9))]):
        u = c.pick(req=req)
        ident = c.cue(req, how="id")
        files = c.evidence(req, u, when)
        quote = quote_gmail_vi(OFFICE_SENDER, NOTICE_SENT["160"], NOTICE_TEXT["160"])
        body = (
            c.signed(
                f"{c.greeting()}\n\n{report_text(c, req, u.name, ident=ident)}", c.secretary(u).full
            )
            + quote
        )
        msg = c.mail(
            f"oldthread-{i}",
            c.roster_sender(u),
            f"Re: {R160.notice_subject}",
            when,
            body,
            files=files,
            in_reply_to=R160.notice_id,
        )
        c.add(
            f"old-thread-160-reused-for-{req.number}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="old_thread_new_id",
            note=f"reply in notice 160's thread, but writes {ident!r}: answers {req.id}",
        )


def unit_outside_the_notice_groups_answers_185(c: Corpus) -> None:
    # a unit outside the notice's groups answers it anyway (named by id)
    syt = UNITS["SYT"]
    when = at(8, 18, 11, 5, 33)
    files = c.evidence(R185, syt, when, fmt="xlsx")
    msg = c.mail(
        "outside-group",
        c.roster_sender(syt, display="Đoàn Sở Y tế"),
        "Đoàn Sở Y tế đăng ký tham gia Ngày Chủ nhật xanh (TB 185)",
        when,
        c.signed(
            "Kính gửi Văn phòng,\n\nTuy không thuộc khối được phân công, Đoàn Sở Y "
            "tế xin đăng ký 06 chiến sĩ tình nguyện tham gia theo TB 185.",
            c.secretary(syt).full,
        ),
        files=files,
    )
    c.add(
        "unit-outside-the-notice-groups-answers-185",
        msg,
        when,
        unit="SYT",
        requests=[R185],
        case="old_notice",
        note="SYT is not expected by 185 but names it: placed under 185",
    )


def only_one_notice_open_160(c: Corpus) -> None:
    # only one notice open for the unit: the only candidate
    ktu = c.pick(req=R160)
    when = at(7, 12, 10, 22, 8)
    msg = c.mail(
        "only-open-1",
        c.roster_sender(ktu),
        "Gửi Văn phòng file đính kèm",
        when,
        c.signed(f"{c.greeting()}\n\nĐơn vị gửi file đính kèm.", c.secretary(ktu).full),
        files=[c.document(R160, ktu, when, fmt="xlsx", name="DS.xlsx")],
    )
    c.add(
        f"only-one-notice-open-160-{ktu.code.lower()}",
        msg,
        when,
        unit=ktu.code,
        requests=[R160],
        case="only_open_request",
        note="nothing but the file says what it answers; 160 is the only open notice",
    )


def only_one_notice_open_192_very_late(c: Corpus) -> None:
    late_unit = c.pick(where=[u.code for u in ROSTER if not R185.expects(u)])
    when = at(9, 15, 9, 31, 2)
    msg = c.mail(
        "only-open-2",
        c.roster_sender(late_unit),
        "Xin gửi muộn",
        when,
        c.signed(
            f"{c.greeting()}\n\nĐơn vị xin gửi muộn phiếu đăng ký, mong Văn phòng thông cảm.",
            c.secretary(late_unit).full,
        ),
        files=[c.document(R192, late_unit, when, name="Phieu DK.docx")],
    )
    c.add(
        f"only-one-notice-open-192-very-late-{late_unit.code.lower()}",
        msg,
        when,
        unit=late_unit.code,
        requests=[R192],
        case="only_open_request",
        note="very late answer to 192, the only notice still open for the unit",
    )


SEVERAL_NOTICES: tuple[Case, ...] = (
    late_answer_to_older_notice,
    two_requests_in_one_mail,
    old_thread_160_reused_for_a_later_notice,
    unit_outside_the_notice_groups_answers_185,
    only_one_notice_open_160,
    only_one_notice_open_192_very_late,
)


def split_report_then_photos_178(c: Corpus) -> None:
    # a report first, the photos in a second mail of the unit's own thread
    u = c.pick(req=R178)
    first_when = at(8, 11, 8, 31, 2)
    first_id = message_id_for("split-a1", "gov", u.email)
    subject = f"Báo cáo Ngày hoạt động cao điểm - {u.name}"
    msg = c.mail(
        "split-a1",
        c.roster_sender(u),
        subject,
        first_when,
        c.signed(
            f"{c.greeting()}\n\n{u.name} gửi báo cáo; hình ảnh sẽ gửi bổ sung.", c.secretary(u).full
        ),
        files=c.evidence(R178, u, first_when, photos=0),
        message_id=first_id,
    )
    c.add(
        f"split-1-report-only-{u.code.lower()}-178",
        msg,
        first_when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="first of two: the report alone",
    )
    when = at(8, 11, 11, 40, 0)
    msg = c.mail(
        "split-a2",
        c.roster_sender(u),
        f"RE: {subject}",
        when,
        "Gửi bổ sung hình ảnh. Xin lỗi Văn phòng vì gửi trễ.\n"
        + quote_outlook(
            c.roster_sender(u), first_when, subject, "(thư trước)", vi=True, to=OFFICE_TO
        ),
        files=c.photos(2, when),
        in_reply_to=first_id,
    )
    c.add(
        f"split-2-photos-after-deadline-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="second of two: photos, in its own thread",
    )


def split_gmail_report_then_photos_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    first_when = at(8, 10, 17, 2, 40)
    first_id = message_id_for("split-b1", "gmail", addr)
    first_text = f"Dạ em gửi báo cáo ngày cao điểm của {u.name} ạ, hình ảnh em gửi sau.\n{p.full}\n"
    msg = c.mail(
        "split-b1",
        sender(p.full, addr),
        "Bao cao ngay cao diem",
        first_when,
        first_text,
        files=c.evidence(R178, u, first_when, photos=0, name=c.rng.choice(NEUTRAL_FILES)),
        message_id=first_id,
    )
    c.add(
        f"split-gmail-1-report-{u.code.lower()}-178",
        msg,
        first_when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="member Gmail, unit named in the body",
    )
    when = at(8, 11, 9, 3, 12)
    msg = c.mail(
        "split-b2",
        sender(p.full, addr),
        "Re: Bao cao ngay cao diem",
        when,
        "Em gửi bổ sung hình ảnh ạ.\n"
        + quote_gmail_vi(sender(p.full, addr), first_when, first_text),
        files=c.photos(3, when),
        in_reply_to=first_id,
    )
    c.add(
        f"split-gmail-2-photos-unit-only-in-quote-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="same Gmail, photos; the unit is named only in the quoted first mail",
    )


def signed_scan_follow_up(c: Corpus) -> None:
    for i, req in enumerate((R178, R171)):
        u = c.pick(req=req)
        when = c.late(req, 2)
        ident = c.cue(req, how="id")
        msg = c.mail(
            f"scan-{i}",
            c.roster_sender(u),
            f"Gửi bản scan có chữ ký - BC {ident}",
            when,
            c.signed("Gửi Văn phòng bản scan báo cáo đã ký để lưu hồ sơ.", c.secretary(u).full),
            files=[c.document(req, u, when, fmt="scan", name="scan0001.pdf")],
        )
        c.add(
            f"signed-scan-follow-up-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="followup",
            note="the signed scan (image-only PDF) afterwards",
        )


def corrected_list_185(c: Corpus) -> None:
    u = c.pick(req=R185)
    when = at(8, 21, 16, 12, 30)
    msg = c.mail(
        "correct-185",
        c.roster_sender(u),
        "Gửi lại danh sách CN xanh (bản cập nhật, thay thế file trước)",
        when,
        c.signed(
            f"{c.greeting()}\n\nĐơn vị gửi lại danh sách đã cập nhật, đề nghị "
            "Văn phòng dùng file này thay cho file trước.",
            c.secretary(u).full,
        ),
        files=c.evidence(R185, u, when, fmt="xlsx", name="DS CN xanh (cap nhat).xlsx"),
    )
    c.add(
        f"corrected-list-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="followup",
        note="a corrected list replacing an earlier one",
    )


def updated_list_gmail_160(c: Corpus) -> None:
    u = c.pick(req=R160)
    p, addr = c.member()
    when = at(7, 20, 10, 45, 3)
    msg = c.mail(
        "correct-160",
        sender(p.full, addr),
        f"Cập nhật DS hiến máu - {c.unit_text(u, 'prefix-form')} bổ sung 2 đoàn viên",
        when,
        c.signed("Dạ em gửi danh sách cập nhật ạ.", p.full),
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        f"updated-list-gmail-{u.code.lower()}-160",
        msg,
        when,
        unit=u.code,
        requests=[R160],
        case="followup",
        note="member Gmail, updated list, unit in the subject",
    )


def question_about_178_no_evidence(c: Corpus) -> None:
    u = c.pick(req=R178)
    when = at(8, 9, 9, 12, 55)
    msg = c.mail(
        "question-178",
        c.roster_sender(u),
        "Hỏi về hình ảnh báo cáo ngày hoạt động cao điểm",
        when,
        c.signed(
            "Dạ cho em hỏi hình ảnh báo cáo Ngày hoạt động cao điểm gửi bằng link "
            "Google Drive được không ạ?",
            c.secretary(u).full,
        ),
    )
    c.add(
        f"question-about-178-no-evidence-{u.code.lower()}",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="a question about 178 (placed, no evidence)",
    )


def asks_for_more_time_gmail_171(c: Corpus) -> None:
    u = c.pick(req=R171)
    p, addr = c.member()
    when = at(7, 27, 15, 40, 20)
    msg = c.mail(
        "extension-171",
        sender(p.full, addr),
        "Xin gia hạn nộp báo cáo sơ kết",
        when,
        c.signed(
            f"{c.greeting()}\n\nEm là {p.full}, {u.name}. Đơn vị xin gia hạn nộp "
            "báo cáo sơ kết 6 tháng đến ngày 02/8 do đồng chí Bí thư đi học.",
            p.full,
        ),
    )
    c.add(
        f"asks-for-more-time-gmail-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="followup",
        note="asks for more time (placed, no evidence)",
    )


FOLLOWUPS: tuple[Case, ...] = (
    split_report_then_photos_178,
    split_gmail_report_then_photos_178,
    signed_scan_follow_up,
    corrected_list_185,
    updated_list_gmail_160,
    question_about_178_no_evidence,
    asks_for_more_time_gmail_171,
)


NESTED_NAMES = [
    ("TTSXD", R178, "subject", "CĐ Thanh tra Sở Xây dựng gửi báo cáo ngày cao điểm", ""),
    (
        "SXD",
        R178,
        "subject",
        "Báo cáo tổng hợp ngày cao điểm - Đoàn Sở Xây dựng",
        "Đoàn Sở Xây dựng gửi báo cáo tổng hợp của các chi đoàn trực thuộc (Chi đoàn Văn phòng "
        "Sở, Chi đoàn Thanh tra Sở, Chi đoàn Ban Quản lý dự án).",
    ),
    ("TTSGTVT", R192, "subject", "Chi doan Thanh tra So GTVT - DS dang ky doi thi", ""),
    (
        "SGTVT",
        R171,
        "display",
        "Gửi báo cáo sơ kết 6 tháng",
        "Đoàn Sở gửi báo cáo sơ kết 6 tháng, tổng hợp từ các chi đoàn trực thuộc, kể cả "
        "Chi đoàn Thanh tra Sở GTVT.",
    ),
    ("CCTQ3", R185, "subject", "Chi đoàn Chi cục Thuế Q.3 gửi DS Chủ nhật xanh", ""),
    ("CCTQ7", R160, "subject", "CĐ Chi cục Thuế Quận 7 - DS hiến máu", ""),
    (
        "CUCTHUE",
        R171,
        "subject",
        "Đoàn Cục Thuế TP gửi báo cáo sơ kết 6 tháng",
        "Báo cáo tổng hợp cả khối văn phòng Cục và các chi đoàn Chi cục Thuế quận, huyện.",
    ),
    ("PCC2", R178, "subject", "Chi đoàn Phòng Công chứng số 2 báo cáo ngày cao điểm", ""),
    ("SHTP", R178, "subject", "Đoàn Khu Công nghệ cao báo cáo ngày hoạt động cao điểm", ""),
    ("TTTP", R192, "subject", "Đoàn Thanh tra Thành phố đăng ký đội thi", ""),
]


def nested_names(c: Corpus) -> None:
    for code, req, where, subject, extra in NESTED_NAMES:
        u = UNITS[code]
        when = c.when(req)
        p, addr = c.member()
        display = p.full
        if where == "display":
            display = "Doan TN So Giao thong van tai"
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        text = extra or "Dạ em gửi file đính kèm ạ."
        msg = c.mail(
            f"nested-{code}",
            sender(display, addr),
            subject,
            when,
            c.signed(f"{c.greeting()}\n\n{text}", p.full),
            files=files,
            zone=c.zone(),
        )
        c.add(
            f"nested-name-{code.lower()}-{req.number}",
            msg,
            when,
            unit=code,
            requests=[req],
            case="nested_name",
            note=f"{u.name}: a name inside or around another unit's",
        )


def cp1258_message(
    key: str,
    *,
    frm: str,
    to: str,
    subject: str,
    body: str,
    when: datetime,
    route: str,
    address: str,
    mailer: str,
) -> bytes:
    """A message written by an old Vietnamese Outlook: windows-1258 text, tone marks combined."""
    subj = raw_text_header(cp1258_form(subject), key, "windows-1258")
    body_bytes = cp1258_form(body).encode("cp1258")
    qp = "".join(
        chr(b) if 32 <= b < 127 and b != 61 else ("\n" if b == 10 else f"={b:02X}")
        for b in body_bytes
    )
    lines = []
    for line in qp.split("\n"):
        while len(line) > 74:
            cut = 73 if line[72] != "=" and line[71] != "=" else 70
            lines.append(line[:cut] + "=")
            line = line[cut:]
        lines.append(line)
    head = "".join(f"Received: {r}\n" for r in received_headers(key, route, address, when, ICT))

    def encoded(value: str) -> str:
        return raw_address(cp1258_form(value), key, "windows-1258")

    return (
        f"Return-Path: <{address}>\n{head}From: {encoded(frm)}\nTo: {encoded(to)}\n"
        f"Subject: {subj}\n"
        f"Date: {format_datetime(when - timedelta(seconds=21))}\n"
        f"Message-ID: {message_id_for(key, route, address)}\nMIME-Version: 1.0\n"
        f'X-Mailer: {mailer}\nContent-Type: text/plain; charset="windows-1258"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n" + "\n".join(lines) + "\n"
    ).encode("ascii")


def windows_1258_roster_report_in_body_cthads_171(c: Corpus) -> None:
    u = UNITS["CTHADS"]
    when = at(7, 27, 16, 20, 5)
    body = text_block(f"""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Cục Thi hành án dân sự Thành phố báo cáo sơ kết công tác Đoàn và phong trào thanh
        niên 6 tháng đầu năm 2023 như sau: tổ chức 04 buổi sinh hoạt chủ điểm; 12 sáng kiến cải
        cách hành chính được ghi nhận; giới thiệu 02 đoàn viên ưu tú cho Chi bộ xem xét kết nạp
        Đảng; tham gia đầy đủ các hoạt động do Đoàn Khối tổ chức.

        Phương hướng 6 tháng cuối năm: tiếp tục thực hiện phong trào “3 trách nhiệm”, tổ chức
        Hội thi tìm hiểu pháp luật về thi hành án cho đoàn viên.

        Trân trọng,
        {c.secretary(u).full}
        Bí thư Đoàn Cục THADS TP
        """)
    raw = cp1258_message(
        "cp1258-a",
        frm=f"Doan TN Cuc THADS <{u.email}>",
        to=OFFICE_TO,
        subject="Báo cáo sơ kết 6 tháng đầu năm 2023",
        body=body,
        when=when,
        route="gov",
        address=u.email,
        mailer="Microsoft Office Outlook 12.0",
    )
    c.add(
        "windows-1258-roster-report-in-body-cthads-171",
        raw,
        when,
        unit="CTHADS",
        requests=[R171],
        case="charset",
        note="windows-1258 (tone marks as combining characters), report in the body",
    )


def windows_1258_yahoo_member_btcd_192(c: Corpus) -> None:
    p, addr = c.member()
    addr = addr.split("@")[0] + "@yahoo.com.vn"
    when = at(8, 23, 10, 2, 44)
    body = text_block(f"""
        Kính gửi Văn phòng Đoàn Khối,

        Chi đoàn Ban Tiếp công dân Thành phố đăng ký đội thi Hội thi tìm hiểu 78 năm Cách mạng
        Tháng Tám và Quốc khánh 2/9 gồm: {person(c.rng).full} (đội trưởng),
        {person(c.rng).full}, {person(c.rng).full}, {person(c.rng).full}.

        Trân trọng,
        {p.full}
        """)
    raw = cp1258_message(
        "cp1258-b",
        frm=f"{p.full} <{addr}>",
        to=OFFICE,
        subject="Đăng ký đội thi",
        body=body,
        when=when,
        route="yahoo",
        address=addr,
        mailer="YahooMailWebService/0.8.111",
    )
    c.add(
        "windows-1258-yahoo-member-btcd-192",
        raw,
        when,
        unit="BTCD",
        requests=[R192],
        case="charset",
        note="windows-1258 from Yahoo; unit named in the body",
    )


def nfd_mac_mail_subject_body_file_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    files = [
        (nfd(f"Báo cáo ngày cao điểm - {u.name}.docx"), c.document(R178, u, when)[1]),
        *c.photos(1, when),
    ]
    msg = c.mail(
        "nfd-a",
        sender(nfd(p.full), addr),
        nfd(f"{u.name} gửi báo cáo ngày cao điểm"),
        when,
        nfd(c.signed(f"{c.greeting()}\n\n{report_text(c, R178, u.name)}", p.full)),
        files=files,
        mailer="Apple Mail (2.3731.600.7)",
    )
    c.add(
        f"nfd-mac-mail-subject-body-file-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="charset",
        note="Apple Mail: everything in NFD",
    )


def nfd_subject_only_sldtbxh_160(c: Corpus) -> None:
    u = UNITS["SLDTBXH"]
    p, addr = c.member()
    when = at(7, 19, 11, 30, 8)
    msg = c.mail(
        "nfd-b",
        sender(p.full, addr),
        nfd(f"{u.name} - DS đăng ký hiến máu"),
        when,
        c.signed("Em gửi danh sách ạ.", p.full),
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        "nfd-subject-only-sldtbxh-160",
        msg,
        when,
        unit="SLDTBXH",
        requests=[R160],
        case="charset",
        note="NFD subject is the only place the unit is named",
    )


def outlook_html_only_nbsp_signature_171(c: Corpus) -> None:
    u = c.pick(req=R171)
    p = person(c.rng)
    addr = f"{unaccent(p.given).lower()}.{unaccent(p.family).lower()}@{u.domain}"
    when = c.on_time(R171)
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style>p.MsoNormal{margin:0cm;font-family:"Times New Roman"}</style></head><body>'
        '<div class="WordSection1"><p class="MsoNormal">Kính gửi Văn phòng Đoàn Khối,</p>'
        '<p class="MsoNormal">Gửi Văn phòng báo cáo sơ kết 6 tháng đầu năm 2023 (file đính '
        'kèm).</p><p class="MsoNormal">Trân trọng.</p>'
        '<table border="0"><tr><td><p class="MsoNormal"><b>'
        + html.escape(p.full)
        + '</b></p><p class="MsoNormal">'
        + html.escape(f"Phó Bí thư {u.name}").replace(" ", "&nbsp;")
        + "</p></td></tr></table></div></body></html>"
    )
    msg = new_mail(
        "html-only-a",
        sender(p.full, addr),
        "Báo cáo sơ kết 6 tháng",
        when,
        mailer="Microsoft Outlook 16.0",
    )
    msg.set_content(markup, subtype="html", cte="quoted-printable")
    for name, data in c.evidence(
        R171, None, when, fmt="docx", name="BC 6T.docx", name_in_body=False
    ):
        attach(msg, name, data)
    c.add(
        f"outlook-html-only-nbsp-signature-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="charset",
        note="Outlook HTML only; unit in the signature table with &nbsp;",
    )


def gmail_html_only_signature_185(c: Corpus) -> None:
    u = c.pick(req=R185)
    p, addr = c.member()
    when = c.on_time(R185)
    markup = (
        f'<div dir="ltr"><div>Dạ em gửi danh sách đăng ký Ngày Chủ nhật xanh ạ.</div>'
        f"<div><br></div><div>--</div><div><b>{html.escape(p.full)}</b></div>"
        f"<div><i>{html.escape(c.unit_text(u, 'prefix-form'))}</i></div></div>"
    )
    msg = new_mail("html-only-b", sender(p.full, addr), "DS CN xanh", when)
    msg.set_content(markup, subtype="html", cte="quoted-printable")
    for name, data in c.evidence(R185, None, when, fmt="xlsx", unit_row=False):
        attach(msg, name, data)
    c.add(
        f"gmail-html-only-signature-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="charset",
        note="Gmail HTML only; unit in the signature",
    )


def scanner_mail_without_message_id_171(c: Corpus) -> None:
    u = c.pick(req=R171)
    when = at(7, 28, 8, 44, 0)
    msg = new_mail(
        "no-message-id",
        sender("", u.email),
        "Scanned document",
        when,
        message_id=None,
        mailer="Canon iR-ADV C5535",
    )
    msg.set_content("Scanned from a Canon multifunction printer.\n")
    attach(
        msg, "BC so ket 6 thang_scan.pdf", c.document(R171, u, when, fmt="scan", name="x.pdf")[1]
    )
    c.add(
        f"scanner-mail-without-message-id-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="charset",
        note="scan-to-email from the unit's box, no Message-ID; request only in the file name",
    )


def base64_body_192(c: Corpus) -> None:
    u = c.pick(req=R192)
    when = c.on_time(R192)
    msg = c.mail(
        "base64",
        c.roster_sender(u),
        f"{u.name} đăng ký đội thi Hội thi tìm hiểu",
        when,
        c.signed(f"{c.greeting()}\n\n{report_text(c, R192, u.name)}", c.secretary(u).full),
        files=c.evidence(R192, u, when),
        cte="base64",
    )
    c.add(
        f"base64-body-{u.code.lower()}-192",
        msg,
        when,
        unit=u.code,
        requests=[R192],
        case="charset",
        note="base64 text part",
    )


ENCODINGS: tuple[Case, ...] = (
    windows_1258_roster_report_in_body_cthads_171,
    windows_1258_yahoo_member_btcd_192,
    nfd_mac_mail_subject_body_file_178,
    nfd_subject_only_sldtbxh_160,
    outlook_html_only_nbsp_signature_171,
    gmail_html_only_signature_185,
    scanner_mail_without_message_id_171,
    base64_body_192,
)


PARTNERS = [
    (
        "STP",
        R178,
        "Đoàn Sở Tư pháp phối hợp với Chi đoàn Phòng Công chứng số 1 tổ chức tư vấn "
        "pháp luật miễn phí và hướng dẫn dịch vụ công trực tuyến cho người dân.",
    ),
    (
        "SYT",
        R178,
        "Đoàn Sở Y tế phối hợp Chi đoàn Chi cục Dân số - KHHGĐ hướng dẫn người dân "
        "đăng ký khám bệnh trực tuyến.",
    ),
    (
        "SLDTBXH",
        R171,
        "Trong 6 tháng, Đoàn Sở LĐ-TB&XH cùng Chi đoàn Trung tâm Dịch vụ việc "
        "làm tổ chức 02 phiên giao dịch việc làm cho thanh niên.",
    ),
    (
        "BHXH",
        R178,
        "Đoàn BHXH TP phối hợp Chi đoàn Quỹ PTNƠ tư vấn chính sách BHXH, BHYT và "
        "vay vốn nhà ở tại Quận 3.",
    ),
    (
        "HND",
        R192,
        "Chi đoàn Hội Nông dân TP đăng ký 01 đội thi; đội thi phối hợp với Đoàn Sở "
        "Nông nghiệp và PTNT sẽ đăng ký riêng.",
    ),
    (
        "SVHTT",
        R192,
        "Đoàn Sở Văn hóa và Thể thao đăng ký 01 đội thi. Đội của Chi đoàn Sở Du "
        "lịch sẽ do đơn vị bạn đăng ký riêng.",
    ),
]


def partners(c: Corpus) -> None:
    for code, req, text in PARTNERS:
        u = UNITS[code]
        when = c.when(req)
        p, addr = c.member()
        subject = f"{cap(c.cue(req, how='phrase'))} - {c.unit_text(u, 'prefix-form')}"
        files = c.evidence(
            req, None, when, name=c.rng.choice(NEUTRAL_FILES), name_in_body=False, unit_row=False
        )
        msg = c.mail(
            f"partner-{code}",
            sender(p.full, addr),
            subject,
            when,
            c.signed(f"{c.greeting()}\n\n{text}", p.full, f"Ủy viên BCH {u.name}"),
            files=files,
        )
        c.add(
            f"names-a-partner-unit-too-{code.lower()}-{req.number}",
            msg,
            when,
            unit=code,
            requests=[req],
            case="partner_mention",
            note="the author unit is clear; another unit is named as its partner",
        )


def roster_gmail(c: Corpus) -> None:
    skhdt, syt = UNITS["SKHDT"], UNITS["SYT"]
    when = c.on_time(R178)
    msg = c.mail(
        "rgmail-1",
        sender("Doan TN", skhdt.emails[1]),
        "Gửi báo cáo ngày 11/8",
        when,
        "Dạ em gửi báo cáo và hình ảnh ạ.\n",
        files=c.evidence(R178, None, when, name="BC.docx", name_in_body=False),
    )
    c.add(
        "roster-gmail-address-only-skhdt-178",
        msg,
        when,
        unit="SKHDT",
        requests=[R178],
        case="roster_gmail",
        note="a Gmail address listed in the roster; no name anywhere",
    )
    when = c.on_time(R192)
    msg = c.mail(
        "rgmail-2",
        sender("", syt.emails[1]),
        "Phiếu đăng ký",
        when,
        "Gửi phiếu đăng ký đội thi.\n",
        files=c.evidence(R192, None, when, name="Phieu.docx", name_in_body=False),
    )
    c.add(
        "roster-gmail-address-only-syt-192",
        msg,
        when,
        unit="SYT",
        requests=[R192],
        case="roster_gmail",
        note="the roster's Gmail for SYT; no name anywhere",
    )
    when = c.on_time(R171)
    msg = c.mail(
        "rgmail-3",
        sender("Doan TN", skhdt.emails[1]),
        f"Re: {R171.notice_subject}",
        when,
        "Dạ em gửi ạ.\n" + quote_gmail_vi(OFFICE_SENDER, NOTICE_SENT["171"], NOTICE_TEXT["171"]),
        files=c.evidence(R171, None, when, name="BC.docx", name_in_body=False),
        in_reply_to=R171.notice_id,
    )
    c.add(
        "roster-gmail-reply-in-thread-skhdt-171",
        msg,
        when,
        unit="SKHDT",
        requests=[R171],
        case="roster_gmail",
        note="roster Gmail, reply in the thread of 171",
    )


def report_in_body_with_drive_link_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    body = text_block(f"""
        Kính gửi Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố,

        {u.name} báo cáo nhanh kết quả Ngày hoạt động cao điểm ngày 11/8/2023:

        1. Bố trí {c.rng.randrange(10, 30)} đoàn viên trực tại Bộ phận Tiếp nhận và Trả kết quả từ
        7g30 đến 11g00, hướng dẫn {c.rng.randrange(40, 120)} lượt người dân thực hiện dịch vụ công
        trực tuyến.

        2. Tổ chức tuyên truyền về phong trào “3 trách nhiệm” và cải cách hành chính cho
        {c.rng.randrange(20, 60)} cán bộ, công chức trẻ.

        3. Thực hiện 02 pa-nô tuyên truyền trực quan đặt tại sảnh tiếp dân.

        Hình ảnh hoạt động: https://drive.google.com/drive/folders/{digest(u.code)[:33]}?usp=sharing

        Trân trọng,
        {p.full}
        """)
    msg = c.mail(
        "misc-drive",
        sender(p.full, addr),
        "Báo cáo nhanh ngày cao điểm",
        when,
        body,
        html_body=True,
    )
    c.add(
        f"report-in-body-with-drive-link-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="member Gmail, report in the body, Drive link",
    )


def zip_of_photos_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    when = c.on_time(R178)
    files = [
        c.document(R178, u, when),
        (f"Hinh anh hoat dong {when:%d-%m}.zip", make_zip(c.photos(3, when), when)),
    ]
    msg = c.mail(
        "misc-zip",
        c.roster_sender(u),
        f"Báo cáo ngày cao điểm - {u.name}",
        when,
        c.signed(f"{c.greeting()}\n\nGửi báo cáo và file nén hình ảnh.", c.secretary(u).full),
        files=files,
    )
    c.add(
        f"zip-of-photos-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="roster address, photos in a .zip",
    )


def all_caps_ascii_subject_stttt_171(c: Corpus) -> None:
    p, addr = c.member()
    when = c.on_time(R171)
    msg = c.mail(
        "misc-caps",
        sender(unaccent(p.full).upper(), addr),
        "BAO CAO SO KET 6 THANG - DOAN SO THONG TIN VA TRUYEN THONG",
        when,
        "GUI VP BAO CAO SO KET.\n",
        files=c.evidence(R171, None, when, name="BC.docx", name_in_body=False),
    )
    c.add(
        "all-caps-ascii-subject-stttt-171",
        msg,
        when,
        unit="STTTT",
        requests=[R171],
        case="misc",
        note="subject in capitals without diacritics",
    )


def iphone_photos_only_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-iphone",
        sender(p.full, addr),
        f"{c.unit_text(u, 'prefix-form')} - BC ngày cao điểm",
        when,
        "Dạ em gửi ạ\n\nĐược gửi từ iPhone của tôi\n",
        files=c.photos(3, when),
        mailer="iPhone Mail (20F66)",
    )
    c.add(
        f"iphone-photos-only-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="iPhone, photos only, unit and request in the subject",
    )


def long_signature_with_street_address_171(c: Corpus) -> None:
    u = c.pick(req=R171)
    when = c.on_time(R171)
    sig = text_block(f"""
        --
        {c.secretary(u).full}
        Bí thư {u.name}
        Địa chỉ: 141 Pasteur, P.6, Q.3, TP.HCM | ĐT: (028) 3829 0000

        Thư điện tử này có thể chứa thông tin mật. Nếu nhận nhầm, xin vui lòng xóa và báo cho
        người gửi.
        """)
    msg = c.mail(
        "misc-sig",
        c.roster_sender(u),
        "Báo cáo sơ kết 6 tháng đầu năm",
        when,
        f"{c.greeting()}\n\nĐơn vị gửi báo cáo (đính kèm).\n\n{sig}",
        files=c.evidence(R171, u, when),
    )
    c.add(
        f"long-signature-with-street-address-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="misc",
        note="signature with P.6, Q.3 street address",
    )


def cc_to_another_unit_185(c: Corpus) -> None:
    u = c.pick(req=R185)
    other = c.pick(req=R185)
    when = c.on_time(R185)
    msg = c.mail(
        "misc-cc",
        c.roster_sender(u),
        f"DS Chủ nhật xanh - {u.name}",
        when,
        c.signed(f"{c.greeting()}\n\n{report_text(c, R185, u.name)}", c.secretary(u).full),
        files=c.evidence(R185, u, when),
        cc=f"{other.name} <{other.email}>",
    )
    c.add(
        f"cc-to-another-unit-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="misc",
        note=f"from {u.code}'s roster address, Cc {other.code}'s",
    )


def reply_to_is_the_roster_address_192(c: Corpus) -> None:
    u = c.pick(req=R192)
    p, addr = c.member()
    when = c.on_time(R192)
    msg = c.mail(
        "misc-replyto",
        sender(p.full, addr),
        f"{c.unit_text(u, 'prefix-form')} đăng ký đội thi",
        when,
        c.signed("Em gửi phiếu đăng ký ạ.", p.full),
        files=c.evidence(R192, None, when, name="Phieu dang ky.docx", name_in_body=False),
        extra=[("Reply-To", f"{u.name} <{u.email}>")],
    )
    c.add(
        f"reply-to-is-the-roster-address-{u.code.lower()}-192",
        msg,
        when,
        unit=u.code,
        requests=[R192],
        case="misc",
        note="member Gmail with Reply-To the unit's address",
    )


def sent_on_behalf_178(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-sender",
        sender(u.name, u.email),
        f"Báo cáo {c.cue(R178, how='id')}",
        when,
        c.signed("Gửi báo cáo và hình ảnh.", p.full),
        files=c.evidence(R178, u, when),
        extra=[("Sender", f"{p.full} <{addr}>")],
    )
    c.add(
        f"sent-on-behalf-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="From the roster address, Sender a member's Gmail",
    )


def photos_link_only_bdt_178(c: Corpus) -> None:
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-link",
        sender(p.full, addr),
        "Link hình ảnh ngày cao điểm - CĐ Ban Dân tộc",
        when,
        f"Dạ em gửi link hình ảnh ạ: https://photos.app.goo.gl/{digest('bdt')[:17]}\n",
    )
    c.add(
        "photos-link-only-bdt-178",
        msg,
        when,
        unit="BDT",
        requests=[R178],
        case="misc",
        note="only a Google Photos link; 'CĐ Ban Dân tộc' in the subject",
    )


def display_name_short_form_stnmt_192(c: Corpus) -> None:
    p, addr = c.member()
    when = c.on_time(R192)
    msg = c.mail(
        "misc-tnmt",
        sender(f"{p.given} (Đoàn TNMT)", addr),
        "Đăng ký đội thi",
        when,
        c.signed("Em gửi phiếu đăng ký ạ.", p.full),
        files=c.evidence(R192, None, when, name="Phieu.docx", name_in_body=False),
    )
    c.add(
        "display-name-short-form-stnmt-192",
        msg,
        when,
        unit="STNMT",
        requests=[R192],
        case="misc",
        note="'Đoàn TNMT' (Sở omitted) in the display name",
    )


def bracketed_unit_in_re_fwd_subject_snnptnt_171(c: Corpus) -> None:
    p, addr = c.member()
    when = c.on_time(R171)
    msg = c.mail(
        "misc-refwd",
        sender(p.full, addr),
        "Re: Fwd: [Đoàn Sở NN&PTNT] BC 6 tháng",
        when,
        c.signed("Dạ em gửi lại bản đúng ạ.", p.full),
        files=c.evidence(R171, None, when, name="BC 6 thang (ban dung).docx", name_in_body=False),
    )
    c.add(
        "bracketed-unit-in-re-fwd-subject-snnptnt-171",
        msg,
        when,
        unit="SNNPTNT",
        requests=[R171],
        case="misc",
        note="unit in brackets inside 'Re: Fwd:'",
    )


def signature_with_unit_and_street_tcbtp_160(c: Corpus) -> None:
    p, addr = c.member()
    when = c.on_time(R160)
    msg = c.mail(
        "misc-addrsig",
        sender(p.full, addr),
        "DS đăng ký hiến máu",
        when,
        f"Dạ em gửi danh sách ạ.\n\n{p.full}\nBCH Chi đoàn Trường Cán bộ Thành phố\n"
        "32 Nguyễn Thị Minh Khai, Q.1\n",
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        "signature-with-unit-and-street-tcbtp-160",
        msg,
        when,
        unit="TCBTP",
        requests=[R160],
        case="misc",
        note="unit in the signature above a street address",
    )


MISC: tuple[Case, ...] = (
    report_in_body_with_drive_link_178,
    zip_of_photos_178,
    all_caps_ascii_subject_stttt_171,
    iphone_photos_only_178,
    long_signature_with_street_address_171,
    cc_to_another_unit_185,
    reply_to_is_the_roster_address_192,
    sent_on_behalf_178,
    photos_link_only_bdt_178,
    display_name_short_form_stnmt_192,
    bracketed_unit_in_re_fwd_subject_snnptnt_171,
    signature_with_unit_and_street_tcbtp_160,
)


# --------------------------------------------------------------------------- writing


CASES: tuple[Case, ...] = (
    *OWN_MAIL,
    *BOUNCES,
    *AUTO_REPLIES,
    *NO_UNIT,
    *AMBIGUOUS,
    *NO_REQUEST,
    roster_plain,
    generic_subject,
    thread_replies,
    gmail_subject,
    gmail_body,
    gmail_display,
    gmail_filename,
    attachment_text,
    *FORWARDS,
    *SEVERAL_NOTICES,
    *FOLLOWUPS,
    nested_names,
    *ENCODINGS,
    partners,
    roster_gmail,
    *MISC,
)


def build() -> list[Entry]:
    """Every message with its label, in the order of CASES (which is the order of the random
    draws: reordering cases changes the bytes)."""
    c = Corpus()
    for case in CASES:
        case(c)
    return c.entries


def slugify(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", unaccent(text).lower())).strip("-")


def file_names(entries: Sequence[Entry]) -> list[str]:
    """NNN_what-it-shows.eml, numbered in the order the office received them."""
    names = []
    seen: set[str] = set()
    ordered = sorted(range(len(entries)), key=lambda i: (entries[i].received, i))
    out = [""] * len(entries)
    for n, i in enumerate(ordered, start=1):
        slug = slugify(entries[i].slug)[:80].strip("-")
        base = slug
        k = 2
        while slug in seen:
            slug = f"{base}-{k}"
            k += 1
        seen.add(slug)
        out[i] = f"{n:03d}_{slug}.eml"
    names.extend(out)
    return names


def units_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "emails", "aliases", "group"])
    for u in ROSTER:
        writer.writerow([u.code, u.name, ";".join(u.emails), ";".join(u.aliases), u.group])
    return out.getvalue()


def toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def requests_toml() -> str:
    lines = [
        "# The notices of the matching corpus (written by tools/make_matching_corpus.py).",
        "# Times without an offset are in settings.toml's timezone (Asia/Ho_Chi_Minh).",
        "# Their open periods overlap: 160 and 171 are still open (30 days after the deadline)",
        "# when 178, 185 and 192 come out.",
    ]
    for r in REQUESTS:
        lines += [
            "",
            "[[request]]",
            f"id = {toml_str(r.id)}",
            f"title = {toml_str(r.title)}",
            f"issued = {r.issued.replace(tzinfo=None).isoformat()}",
            f"deadline = {r.deadline.replace(tzinfo=None).isoformat()}",
            f"grace_minutes = {r.grace}",
            f"units = {toml_list(r.units)}",
            f"requires = {toml_list(r.requires)}",
            f"keywords = {toml_list(r.keywords)}",
            f"notice_message_id = {toml_str(r.notice_id)}",
        ]
    return "\n".join(lines) + "\n"


SETTINGS_TOML = f"""\
# The matching corpus: an office inbox with labelled messages (tests/corpus/labels.csv).
# Written by tools/make_matching_corpus.py; read by bench/matching.py and
# tests/test_matching_corpus.py. Paths are relative to this file.
timezone = "Asia/Ho_Chi_Minh"
language = "vi"
office_addresses = ["{OFFICE}", "{OFFICE2}"]
units_file = "units.csv"
requests_file = "requests.toml"
data_dir = "data"
output_dir = "out"

[[source]]
kind = "eml_dir"
path = "messages"
"""


def labels_csv(entries: Sequence[Entry], names: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "unit_code", "request_ids", "reason", "candidates", "note"])
    rows = sorted(zip(names, entries, strict=True), key=lambda pair: pair[0])
    for name, e in rows:
        writer.writerow(
            [
                name,
                e.unit,
                ";".join(sorted(e.requests)),
                e.reason,
                ";".join(sorted(e.candidates)),
                f"{e.case}: {e.note}",
            ]
        )
    return out.getvalue()


def readme(entries: Sequence[Entry]) -> str:
    cases = Counter(e.case for e in entries)
    reasons = Counter(e.reason for e in entries if e.reason)
    placeable = sum(1 for e in entries if not e.reason)
    rows = "\n".join(f"| {case} | {n} |" for case, n in sorted(cases.items()))
    aside = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    return f"""\
# Matching corpus

An office inbox for testing the message matcher: {len(entries)} messages from about 60 units
answering five notices whose open periods overlap, plus mail that is not a report. Every file
here is written by `tools/make_matching_corpus.py` (seeded, byte-for-byte reproducible); change
the generator and run it again rather than editing files by hand:

    python tools/make_matching_corpus.py          # rewrite tests/corpus/
    python tools/make_matching_corpus.py --check  # exit 1 if the files differ from the generator's
    python bench/matching.py                      # precision / recall of the matcher, every error

- `settings.toml`, `units.csv`, `requests.toml`: a configuration in the contract's format
  (`[[source]] kind = "eml_dir"`, `path = "messages"`).
- `messages/NNN_what-it-shows.eml`: numbered in the order the office received them (the newest
  `Received:` header is the receipt time).
- `labels.csv`: `file,unit_code,request_ids,reason,candidates,note`, the truth a careful clerk
  would give, following the contract's rules (not what the matcher does). `unit_code` and
  `request_ids` (`;`-joined) are empty when no unit or request applies; `reason` is empty for a
  message the clerk would place, else the contract's reason for setting it aside (`candidates`
  lists the units of an `ambiguous_unit` message). `note` starts with the case type.

{placeable} of {len(entries)} messages ({100 * placeable / len(entries):.1f}%) are placeable; set
aside: {aside}.

| case | messages |
| --- | --- |
{rows}
"""


def corpus_files(entries: Sequence[Entry]) -> dict[str, bytes]:
    names = file_names(entries)
    files = {
        "README.md": readme(entries).encode("utf-8"),
        "units.csv": units_csv().encode("utf-8"),
        "requests.toml": requests_toml().encode("utf-8"),
        "settings.toml": SETTINGS_TOML.encode("utf-8"),
        "labels.csv": labels_csv(entries, names).encode("utf-8"),
    }
    for name, e in zip(names, entries, strict=True):
        files[f"messages/{name}"] = e.data
    return files


def check_limits(files: dict[str, bytes]) -> list[str]:
    problems = []
    messages = {k: v for k, v in files.items() if k.startswith("messages/")}
    for name, data in messages.items():
        if len(data) >= MAX_MESSAGE_BYTES:
            problems.append(f"{name}: {len(data)} bytes (limit {MAX_MESSAGE_BYTES})")
    total = sum(len(v) for v in files.values())
    if total >= MAX_CORPUS_BYTES:
        problems.append(f"corpus: {total} bytes (limit {MAX_CORPUS_BYTES})")
    return problems


def summary(entries: Sequence[Entry]) -> str:
    cases = Counter(e.case for e in entries)
    reasons = Counter(e.reason or "placed" for e in entries)
    units = Counter(e.unit for e in entries if e.unit)
    requests = Counter(r for e in entries for r in e.requests)
    placeable = reasons["placed"]
    lines = [
        f"{len(entries)} messages, {placeable} placeable "
        f"({100 * placeable / len(entries):.1f}%), {len(units)} units named"
    ]
    lines.append("by case: " + ", ".join(f"{k} {v}" for k, v in sorted(cases.items())))
    lines.append("by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    lines.append("by request: " + ", ".join(f"{k} {v}" for k, v in sorted(requests.items())))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "tests" / "corpus",
        help="corpus folder (default: tests/corpus)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files on disk differ"
    )
    args = parser.parse_args(argv)
    entries = build()
    files = corpus_files(entries)
    problems = check_limits(files)
    if problems:
        print("\n".join(problems))
        return 1
    out: Path = args.out
    if args.check:
        differ = mailkit.differences(out, files, "messages/*.eml")
        for name in differ:
            print(f"differs: {name}")
        return 1 if differ else 0
    (out / "messages").mkdir(parents=True, exist_ok=True)
    for old in (out / "messages").glob("*.eml"):
        if f"messages/{old.name}" not in files:
            old.unlink()
    for name, data in files.items():
        (out / name).write_bytes(data)
    print(summary(entries))
    print(f"wrote {len(files)} files, {sum(len(v) for v in files.values())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

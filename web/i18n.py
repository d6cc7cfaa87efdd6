"""The workspace's own words, in Vietnamese (default) and English; the report's words (status,
reasons, evidence kinds) come from outputs/i18n.py so that both say the same."""

from __future__ import annotations

from outputs.i18n import LABELS, MATCH_LABELS, REASON_LABELS, STATUS_LABELS, pick

WEB_LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("Theo dõi báo cáo", "Report tracking"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "login_slowed": ("Đăng nhập sai nhiều lần: hãy thử lại sau {seconds} giây.",
                     "Too many failed logins: try again in {seconds} seconds."),
    "notices": ("Văn bản", "Notices"),
    "needs": ("Thư cần xử lý", "Needs a person"),
    "decisions": ("Quyết định", "Decisions"),
    "roster": ("Danh sách đơn vị", "Units"),
    "requests": ("Danh sách văn bản", "Notices file"),
    "reminders": ("Nhắc nhở", "Reminders"),
    "signed_in_as": ("Đăng nhập với tên", "Signed in as"),
    "viewer_note": ("Tài khoản chỉ xem: không thay đổi được dữ liệu.",
                    "View-only account: nothing can be changed."),
    "forbidden": ("Tài khoản này chỉ được xem, không được thay đổi.",
                  "This account may read, not change."),
    "not_found": ("Không tìm thấy.", "Not found."),
    "bad_request": ("Yêu cầu không hợp lệ (thiếu mã bảo vệ của biểu mẫu?). Hãy tải lại trang.",
                    "Invalid request (the form's token is missing?). Reload the page."),
    "owes": ("Còn nợ", "Still owes"),
    "late": ("Trễ hạn", "Late"),
    "incomplete": ("Chưa đủ", "Incomplete"),
    "all_units": ("Tất cả", "All"),
    "show": ("Hiển thị", "Show"),
    "units_shown": ("{shown}/{total} đơn vị", "{shown} of {total} units"),
    "needs_count": ("{n} thư cần xử lý", "{n} messages need a person"),
    "open_notice": ("Xem", "Open"),
    "addresses": ("Địa chỉ email", "Addresses"),
    "aliases": ("Tên khác", "Other names"),
    "group": ("Nhóm", "Group"),
    "learned": ("Địa chỉ đã học", "Learned addresses"),
    "record": ("Quá trình nộp", "Record"),
    "notes": ("Ghi chú", "Notes"),
    "download": ("Tải về", "Download"),
    "raw_message": ("Thư gốc (.eml)", "Original message (.eml)"),
    "unit_search": ("Gõ một phần tên đơn vị", "Type part of the unit's name"),
    "search": ("Tìm", "Search"),
    "choose_units": ("Chọn đơn vị (chọn nhiều nếu là báo cáo chung)",
                     "Choose the unit (several for a joint report)"),
    "no_units_found": ("Không có đơn vị nào khớp.", "No unit matches."),
    "request_optional": ("Văn bản (để trống: tự nhận diện)", "Notice (empty: found by the rules)"),
    "auto": ("— tự nhận diện —", "— found by the rules —"),
    "assign": ("Xếp vào đơn vị", "Assign"),
    "ignore": ("Bỏ qua thư này", "Ignore this message"),
    "excuse": ("Miễn nộp", "Excuse"),
    "extend": ("Gia hạn", "Extend"),
    "accept": ("Chấp nhận là đủ", "Accept as complete"),
    "until": ("Đến (dd/mm/yyyy HH:MM)", "Until (dd/mm/yyyy HH:MM)"),
    "reason_text": ("Lý do", "Reason"),
    "undo": ("Hoàn tác", "Undo"),
    "undone": ("đã hoàn tác", "undone"),
    "author": ("Người thực hiện", "By"),
    "when": ("Lúc", "When"),
    "kind": ("Loại", "Kind"),
    "what": ("Nội dung", "What"),
    "no_decisions": ("Chưa có quyết định nào.", "No decision yet."),
    "saved": ("Đã lưu.", "Saved."),
    "saved_rebuild": ("Đã lưu. report.html sẽ được dựng lại ngay khi có thể.",
                      "Saved. report.html is rebuilt as soon as it can be."),
    "save": ("Lưu", "Save"),
    "add_unit": ("Thêm đơn vị", "Add a unit"),
    "add_request": ("Thêm văn bản", "Add a notice"),
    "edit": ("Sửa", "Edit"),
    "file_changed": ("{file} đã bị sửa ở nơi khác từ lúc mở trang: hãy tải lại trang rồi sửa lại.",
                     "{file} was changed elsewhere since this page was opened: reload it and "
                     "edit again."),
    "edit_refused": ("Không lưu: {problems}", "Not saved: {problems}"),
    "list_hint": ("nhiều giá trị cách nhau bằng dấu ;", "several values separated by ;"),
    "units_hint": ("* = mọi đơn vị; hoặc mã đơn vị, group:TÊN_NHÓM; cách nhau bằng ;",
                   "* = every unit; or unit codes, group:NAME; separated by ;"),
    "title": ("Tiêu đề", "Title"),
    "grace_minutes": ("Thời gian ân hạn (phút)", "Grace (minutes)"),
    "keywords": ("Từ khoá", "Keywords"),
    "units_col": ("Đơn vị phải nộp", "Units expected"),
    "from_notice": ("Tạo văn bản mới từ thông báo (tệp .pdf, .docx, .odt, .txt hoặc .eml)",
                    "Start a notice from its document (.pdf, .docx, .odt, .txt or .eml)"),
    "notice_found": ("Thư của Văn phòng có thông báo chưa theo dõi:",
                     "The office's mail carries a notice not tracked yet:"),
    "start_from_it": ("Tạo văn bản từ thư này", "Start a notice from it"),
    "read_notice": ("Đọc thông báo", "Read the notice"),
    "check_these": ("Đọc từ thông báo; hãy kiểm tra trước khi lưu:",
                    "Read from the notice; check before saving:"),
    # The reminders page (web/reminders.py).
    "notify_is_off": ("Gửi thư cho đơn vị đang TẮT: không thư nào được gửi cho đơn vị.",
                      "Mail to units is OFF: nothing is ever sent to a unit."),
    "notify_how_on": ("Để bật: thêm mục [notify] vào {file} (README, phần \"Mail to units\"), "
                      "trước tiên với send = false để xem thư trước khi gửi thật.",
                      "To switch it on: add a [notify] section to {file} (README, \"Mail to "
                      "units\"), first with send = false to read the mails before any is sent."),
    "send_is_false": ("send = false: thư KHÔNG được gửi đi, mà được ghi thành tệp .eml vào "
                      "thư mục {folder} để Văn phòng đọc trước. Để gửi thật: đặt send = true "
                      "trong mục [notify] của {file} (cần mục [smtp]).",
                      "send = false: NO mail is sent; each is written to {folder} as an .eml "
                      "file for the office to read first. To send for real: set send = true in "
                      "the [notify] section of {file} (needs [smtp])."),
    "send_is_true": ("Thư được gửi qua máy chủ thư, tối đa {n} thư mỗi giờ; thư vượt giới hạn "
                     "chờ lần gửi sau. Mỗi thư chỉ gửi một lần.",
                     "Mail is sent through the mail server, at most {n} an hour; the rest wait "
                     "for a later pass. Each mail is sent at most once."),
    "open_notices": ("Văn bản còn đơn vị chưa nộp đủ", "Notices some units still owe"),
    "no_open_notices": ("Không văn bản nào còn đơn vị nợ báo cáo.",
                        "No notice is owed anything."),
    "owing_units": ("{n} đơn vị còn nợ", "{n} units still owe"),
    "see_reminders": ("Xem thư nhắc", "See the reminders"),
    "send_now": ("Gửi ngay", "Send now"),
    "write_now": ("Ghi thư ra tệp .eml", "Write the mails as .eml"),
    "send_now_n": ("Gửi ngay {n} thư nhắc", "Send {n} reminders now"),
    "write_now_n": ("Ghi {n} thư nhắc ra tệp .eml", "Write {n} reminders as .eml files"),
    "viewer_cannot_send": ("Tài khoản chỉ xem không gửi được thư.",
                           "A view-only account cannot send."),
    "reminder_for": ("Thư nhắc sẽ gửi lúc này", "The reminders that would go now"),
    "to": ("Gửi tới", "To"),
    "subject": ("Tiêu đề", "Subject"),
    "mail_text": ("Nội dung thư", "The mail's text"),
    "no_address": ("Không có địa chỉ email trong danh sách đơn vị: không gửi được.",
                   "No address in the roster: cannot be sent."),
    "nobody_owes": ("Không đơn vị nào còn nợ báo cáo cho văn bản này.",
                    "No unit still owes this notice anything."),
    "back_to_reminders": ("Tất cả thư nhắc", "All reminders"),
    "outbox": ("Hộp thư đi", "Outbox"),
    "outbox_empty": ("Chưa có thư nào gửi cho đơn vị.", "No mail to units yet."),
    "outbox_trouble": ("Thư chưa gửi được hoặc không chắc đã gửi",
                       "Mails not sent, or not sure they were sent"),
    "outbox_ok": ("Không có thư nào bị lỗi.", "No mail in trouble."),
    "outbox_more": ("và {n} thư cũ hơn (xem mailtally check).",
                    "and {n} older ones (see mailtally check)."),
    "reason": ("Lý do", "Reason"),
    "attempts": ("Số lần thử", "Attempts"),
    "state_queued": ("chờ gửi", "queued"),
    "state_sending": ("đang gửi", "sending"),
    "state_sent": ("đã gửi", "sent"),
    "state_written": ("đã ghi ra tệp (send = false)", "written to a file (send = false)"),
    "state_retry": ("chờ gửi lại", "waiting for a retry"),
    "state_failed": ("không gửi được", "not sent"),
    "state_unknown": ("không chắc đã gửi", "not sure it was sent"),
    "state_dropped": ("bỏ (không còn cần)", "dropped (no longer needed)"),
    "eml": ("Thư (.eml)", "Mail (.eml)"),
    "sent_n": ("Đã gửi {n} thư nhắc.", "Sent {n} reminders."),
    "written_n": ("Đã ghi {n} thư nhắc vào {folder} (send = false: không gửi đi).",
                  "Wrote {n} reminders to {folder} (send = false: nothing was sent)."),
    "held_n": ("{n} thư chờ gửi ở lần sau (giới hạn max_per_hour, hoặc máy chủ thư chưa sẵn "
               "sàng).", "{n} mails wait for a later pass (max_per_hour, or the mail server is "
               "not ready)."),
    "retry_n": ("{n} thư chưa gửi được, sẽ tự gửi lại sau.",
                "{n} mails could not be sent yet and will be retried."),
    "failed_n": ("{n} thư không gửi được (máy chủ thư từ chối).",
                 "{n} mails could not be sent (the mail server refused them)."),
    "unknown_n": ("{n} thư không chắc đã gửi: không gửi lại.",
                  "{n} mails: not sure they were sent; not sent again."),
    "sent_nothing": ("Không gửi thêm thư nào: thư nhắc cho các đơn vị này vừa được ghi nhận trong "
                     "phút này (mỗi thư chỉ gửi một lần).",
                     "Nothing more was sent: these units' reminders were recorded this minute "
                     "already (each mail goes at most once)."),
    "send_busy": ("Đang có một lần chạy dùng dữ liệu: hãy bấm gửi lại sau một phút.",
                  "A run is using the data right now: click send again in a minute."),
    "bad_until": ("Ngày giờ không hợp lệ: {value} (ví dụ 14/08/2023 17:00)",
                  "Not a valid date and time: {value} (e.g. 14/08/2023 17:00)"),
    "no_choice": ("Hãy chọn ít nhất một đơn vị.", "Choose at least one unit."),
    "messages_of_unit": ("Thư của đơn vị", "The unit's messages"),
    "nothing_placed": ("Chưa có thư nào.", "No message yet."),
    "page": ("Trang", "Page"),
    "roster_unreadable": ("units.csv không ở dạng CSV UTF-8 nên không sửa được ở đây: trong "
                          "Excel, chọn Tệp > Lưu thành > CSV UTF-8.",
                          "units.csv is not CSV UTF-8, so it cannot be edited here: in Excel, "
                          "File > Save As > CSV UTF-8."),
    "skip": ("Bỏ qua tới nội dung", "Skip to content"),
    "deadline_own": ("Hạn riêng", "Own deadline"),
}

ALL_TABLES = (WEB_LABELS, LABELS, STATUS_LABELS, REASON_LABELS, MATCH_LABELS)


def words(language: str) -> dict[str, str]:
    """Every label of the workspace in `language`: its own, then the report's."""
    out: dict[str, str] = {}
    for table in reversed(ALL_TABLES):
        out.update({k: pick(table, k, language) for k in table})
    return out


def status_word(status: str, language: str) -> str:
    return pick(STATUS_LABELS, status, language)


def reason_word(reason: str, language: str) -> str:
    return pick(REASON_LABELS, reason, language)


def match_word(match: str, language: str) -> str:
    return pick(MATCH_LABELS, match, language)

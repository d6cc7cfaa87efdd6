"""The one catalog of words the office reads, in Vietnamese (default) and English: the labels of
the page, the tables and the digest (LABELS and the tables after it), and the sentences of the
command line (SENTENCES, said through `say`)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "report_title": ("Báo cáo tổng hợp tình hình nộp báo cáo", "Report submission summary"),
    "generated": ("Cập nhật lúc", "Updated at"),
    "request": ("Văn bản", "Request"),
    "deadline": ("Hạn nộp", "Deadline"),
    "issued": ("Ngày ban hành", "Issued"),
    "time_left": ("Còn lại", "Time left"),
    "overdue": ("Đã quá hạn", "Overdue by"),
    "requires": ("Yêu cầu", "Requires"),
    "expected": ("Đơn vị phải nộp", "Units expected"),
    "unit": ("Đơn vị", "Unit"),
    "code": ("Mã", "Code"),
    "status": ("Tình trạng", "Status"),
    "received_at": ("Thời điểm nhận", "Received"),
    "minutes_late": ("Trễ (phút)", "Minutes late"),
    "evidence": ("Đã có", "Evidence"),
    "missing_evidence": ("Còn thiếu", "Missing"),
    "complete_at": ("Nộp đủ lúc", "Complete at"),
    "messages": ("Số thư", "Messages"),
    "sender": ("Người gửi", "Sender"),
    "subject": ("Tiêu đề", "Subject"),
    "photos": ("Hình ảnh", "Photos"),
    "files": ("Tệp", "Files"),
    "match": ("Cách nhận diện", "Matched by"),
    "needs_person": ("Thư cần người xử lý", "Messages that need a person"),
    "needs_person_none": ("Không có thư nào cần xử lý.", "Nothing needs a person."),
    "reason": ("Lý do", "Reason"),
    "candidates": ("Có thể là", "Could be"),
    "fix": ("Lệnh sửa", "Fix with"),
    "message": ("Thư", "Message"),
    "filter": ("Lọc theo tên, mã…", "Filter by name, code…"),
    "all": ("Tất cả", "All"),
    "sources": ("Nguồn thư", "Sources"),
    "last_poll": ("Lần đọc thư thành công gần nhất", "Last successful poll"),
    "never": ("chưa lần nào", "never"),
    "last_error": ("Lỗi gần nhất", "Last error"),
    "set_aside": ("Thư không tính (tự động trả lời, thư báo lỗi, thư của Văn phòng…)",
                  "Messages not counted (auto-replies, bounces, the office's own…)"),
    "report": ("báo cáo", "report"),
    "images": ("hình ảnh", "photos"),
    "open": ("mở", "open"),
    "days": ("ngày", "days"),
    "hours": ("giờ", "hours"),
    "minutes": ("phút", "minutes"),
    "new_address": ("Địa chỉ chưa có trong danh sách", "Address not in the roster"),
    "unverified": ("Người gửi chưa được máy chủ xác thực (SPF/DKIM/DMARC không đạt)",
                   "Sender not verified by the server (SPF/DKIM/DMARC failed)"),
    "auth_fail": ("Người gửi chưa được máy chủ xác thực (SPF/DKIM/DMARC không đạt): không xếp "
                  "theo địa chỉ",
                  "Sender not verified by the office's server (SPF/DKIM/DMARC failed): not "
                  "placed by address"),
    "from_mailboxes": ("Trường From không phải đúng một địa chỉ: không xếp theo địa chỉ",
                       "From does not hold exactly one address: not placed by address"),
    "hidden_address": ("Địa chỉ của đơn vị chỉ nằm trong tên hiển thị của người gửi (có thể "
                       "giả mạo): không xếp theo địa chỉ",
                       "A unit's address appears only in the sender's display name (possible "
                       "forgery): not placed by address"),
    "sender_differs": ("Khác địa chỉ From", "Differs from From"),
    "excused_reason": ("Lý do miễn", "Excused because"),
    "extended_to": ("Gia hạn đến", "Extended to"),
    "warning": ("Cảnh báo", "Warning"),
    "share": ("Tỉ lệ", "Share"),
    "count": ("Số lượng", "Count"),
    "subject_digest": ("Tóm tắt tình hình nộp báo cáo ngày", "Report digest for"),
    "digest_as_of": ("Tính đến", "As of"),
    "digest_fix_in_workspace": ("Xử lý trong trang làm việc", "Fix it in the workspace"),
    "digest_counts": ("Số liệu theo văn bản", "Counts per request"),
    "digest_new_count": ("Nhận trong ngày", "Received that day"),
    "digest_new": ("Báo cáo nhận trong ngày", "Reports received that day"),
    "digest_new_none": ("Không có báo cáo nào nhận trong ngày.", "No report arrived that day."),
    "digest_overdue": ("Đơn vị chưa nộp đủ khi hết hạn (hạn rơi vào ngày này)",
                       "Units without a complete report when their deadline passed that day"),
    "digest_overdue_none": ("Không có đơn vị nào chưa nộp đủ khi hết hạn trong ngày.",
                            "Every unit whose deadline passed that day had reported in full."),
    "digest_status_now": ("Tình trạng cuối ngày", "Status at the end of the day"),
    "digest_outstanding": ("Đơn vị còn nợ báo cáo (văn bản còn theo dõi)",
                           "Units still owing a report (open requests)"),
    "digest_outstanding_none": ("Mọi đơn vị đã nộp cho các văn bản còn theo dõi.",
                                "Every unit has reported for the open requests."),
    "digest_new_flag": ("mới", "new"),
    "digest_attached": ("Bảng chi tiết: tệp report.xlsx đính kèm (mở bằng Excel).",
                        "Details: the attached report.xlsx (opens in Excel)."),
    "digest_file_at": ("Bản tóm tắt: {path}", "Digest: {path}"),
    "digest_sent": ("Đã gửi bản tóm tắt tới {to} qua máy chủ {server}.",
                    "Digest sent to {to} through {server}."),
    "digest_bad_date": ("Ngày không hợp lệ: {value} (cần dạng YYYY-MM-DD, ví dụ 2023-08-11).",
                        "Not a valid date: {value} (expected YYYY-MM-DD, e.g. 2023-08-11)."),
    "digest_no_smtp": ("Không gửi được email: {file} không có mục [digest] (máy chủ SMTP, người "
                       "gửi, người nhận). Bản tóm tắt vẫn được ghi.",
                       "Cannot send the email: {file} has no [digest] section (SMTP server, "
                       "sender, recipients). The digest was still written."),
    "digest_send_failed": ("Không gửi được bản tóm tắt qua máy chủ SMTP {server}: {reason}. "
                           "Bản tóm tắt vẫn được ghi.",
                           "Could not send the digest through the SMTP server {server}: "
                           "{reason}. The digest was still written."),
    "smtp_unreachable": ("không kết nối được ({detail})", "cannot connect ({detail})"),
    "smtp_tls": ("lỗi TLS hoặc chứng chỉ không hợp lệ ({detail})",
                 "TLS failed or the certificate is not valid ({detail})"),
    "smtp_no_starttls": ("máy chủ không hỗ trợ STARTTLS (thử security = \"ssl\")",
                         "the server does not offer STARTTLS (try security = \"ssl\")"),
    "smtp_auth": ("đăng nhập bị từ chối: sai tên đăng nhập hoặc mật khẩu ({detail})",
                  "login refused: wrong username or password ({detail})"),
    "smtp_refused": ("máy chủ từ chối thư ({detail})", "the server refused the message ({detail})"),
    "smtp_error": ("lỗi SMTP ({detail})", "SMTP error ({detail})"),
    "smtp_password_env": ("biến môi trường {detail} (password_env) chưa được đặt",
                          "the environment variable {detail} (password_env) is not set"),
    "smtp_password_file": ("không đọc được password_file ({detail})",
                           "cannot read password_file ({detail})"),
    "smtp_no_password": ("có username nhưng thiếu password_env hoặc password_file",
                         "a username is set but neither password_env nor password_file"),
    "digest_late_by": ("trễ {minutes} phút", "{minutes} min late"),
    "owing": ("Đơn vị còn nợ báo cáo", "Units still owing a report"),
    "owing_none": ("Không đơn vị nào còn nợ báo cáo.", "No unit owes a report."),
    "addresses": ("Địa chỉ email", "Email addresses"),
    "notes": ("Ghi chú", "Notes"),
    "still_missing": ("còn thiếu", "still missing"),
    "summary_sheet": ("Tổng hợp", "Summary"),
    "scorecard_sheet": ("Thi đua", "Scorecard"),
    "needs_sheet": ("Thư cần xử lý", "Needs a person"),
    "group": ("Khối", "Group"),
    "on_time_rate": ("Tỉ lệ đúng hạn", "On-time rate"),
    "minutes_late_total": ("Tổng số phút trễ", "Total minutes late"),
    "title": ("Trích yếu", "Title"),
    "attachments": ("Số tệp", "Attachments"),
    "message_id": ("Message-ID", "Message-ID"),
    "extension": ("Gia hạn đến", "Extended to"),
    "extension_reason": ("Lý do gia hạn", "Extension reason"),
    "excuse_reason": ("Lý do miễn", "Excuse reason"),
    "accept_reason": ("Lý do chấp nhận", "Accepted because"),
    "note_excused": ("Được miễn nộp", "Excused"),
    "note_extended": ("Được gia hạn đến {until}", "Deadline extended to {until}"),
    "note_accepted": ("Văn phòng chấp nhận phần đã gửi là đủ",
                      "The office accepted what was sent as complete"),
    "note_bounced": ("Thông báo không đến được {address} (thư báo lỗi lúc {at})",
                     "The notice bounced from {address} (bounce at {at})"),
    "note_no_evidence": ("{count} thư không kèm báo cáo hay hình ảnh (hỏi, xin gia hạn…)",
                         "{count} message(s) without a report or photos (a question, a request "
                         "for more time…)"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Trễ hạn", "Late"),
    "incomplete": ("Chưa nộp đủ", "Incomplete"),
    "pending": ("Chưa đến hạn", "Pending"),
    "missing": ("Chưa nộp", "Missing"),
    "excused": ("Được miễn", "Excused"),
}

REASON_LABELS: dict[str, tuple[str, str]] = {
    "unparseable": ("Không đọc được thư", "Could not be read"),
    "ignored": ("Văn phòng đã bỏ qua", "Ignored by the office"),
    "own_address": ("Thư của Văn phòng", "The office's own mail"),
    "bounce": ("Thư báo lỗi / báo đã nhận", "Bounce or delivery report"),
    "auto_reply": ("Thư trả lời tự động", "Automatic reply"),
    "ambiguous_unit": ("Chưa xác định được đơn vị (khớp với nhiều đơn vị)",
                       "Unit unclear (matches several units)"),
    "no_unit": ("Không nhận ra đơn vị", "Unit not recognised"),
    "no_request": ("Không rõ nộp cho văn bản nào", "Request not recognised"),
}

MATCH_LABELS: dict[str, tuple[str, str]] = {
    "address": ("địa chỉ email", "address"),
    "learned": ("địa chỉ đã học", "learned address"),
    "name": ("tên đơn vị", "unit name"),
    "override": ("Văn phòng chỉ định", "set by the office"),
}


def label(key: str, language: str) -> str:
    pair = LABELS[key]
    return pair[0] if language == "vi" else pair[1]


def pick(table: dict[str, tuple[str, str]], key: str, language: str) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[0] if language == "vi" else pair[1]


# The command line's sentences. {closest} lists the nearest known values of a refused one.
SENTENCES: dict[str, tuple[str, str]] = {
    "config_invalid": ("Cấu hình không hợp lệ:", "The configuration is invalid:"),
    "source_failed": ("Không đọc được nguồn thư {source}: {reason}",
                      "Could not read source {source}: {reason}"),
    "storage_failed": ("Không ghi được dữ liệu: {reason}.", "Could not write data: {reason}."),
    "busy": ("Một lần chạy khác của mailtally đang dùng thư mục dữ liệu {path}; đã chờ {seconds} "
             "giây, lần này không làm gì. Hãy chạy lại sau.",
             "Another mailtally run is using the data dir {path}; waited {seconds} s, this one "
             "did nothing. Run it again later."),
    "done": ("Xong: {messages} thư đã lưu, {placed} thư đã xếp, {needs} thư cần người xử lý.",
             "Done: {messages} messages stored, {placed} placed, {needs} need a person."),
    "report_at": ("Báo cáo: {path}", "Report: {path}"),
    "unknown_message": ("Không có thư nào mã {value}.", "No message has the key {value}."),
    "ambiguous_message": ("Mã {value} khớp nhiều thư; hãy gõ thêm ký tự.",
                          "The key {value} matches several messages; type more of it."),
    "unknown_unit": ("Không có đơn vị mã {value} trong units.csv.",
                     "No unit has the code {value} in units.csv."),
    "unknown_request": ("Không có văn bản mã {value} trong requests.toml.",
                        "No request has the id {value} in requests.toml."),
    "unknown_decision": ("Không có quyết định số {value}.", "There is no decision {value}."),
    "unknown_address": ("Địa chỉ {value} chưa được ghi nhớ.", "{value} was not remembered."),
    "undone_decision": ("Quyết định số {value} đã được hoàn tác trước đó.",
                        "Decision {value} was undone already."),
    "ambiguous_unit": ("{value} khớp nhiều đơn vị; hãy gõ đúng mã.",
                       "{value} matches several units; type the code."),
    "ambiguous_request": ("Số {value} khớp nhiều văn bản; hãy gõ đủ mã văn bản.",
                          "{value} matches several requests; type the whole id."),
    "refused_no_store": ("Chưa có dữ liệu trong {path} (theo {config}). Kiểm tra lại --config, "
                         "hoặc chạy `mailtally once` trước nếu đây là lần đầu. Không có gì thay "
                         "đổi.",
                         "There is no store in {path} (from {config}). Check --config, or run "
                         "`mailtally once` first if this is the first time. Nothing was changed."),
    "refused_not_later": ("Hạn mới {until} không sau hạn chung của {rid} ({deadline}): gia hạn "
                          "phải sau hạn đó. Không có gì thay đổi.",
                          "The new deadline {until} is not after {rid}'s own ({deadline}): an "
                          "extension must be later. Nothing was changed."),
    "refused_not_expected": ("Văn bản {rid} không yêu cầu {unit} nộp báo cáo (xem `units` của "
                             "văn bản trong requests.toml). Không có gì thay đổi.",
                             "{rid} does not expect a report from {unit} (see the request's "
                             "`units` in requests.toml). Nothing was changed."),
    "closest": ("Có phải: {closest}?", "Did you mean: {closest}?"),
    "nothing_changed": ("Không có gì thay đổi.", "Nothing was changed."),
    "assigned": ("Đã ghi (quyết định số {id}): thư {key} thuộc {units}{req}.",
                 "Saved (decision {id}): message {key} belongs to {units}{req}."),
    "joint": ("Thư được tính cho từng đơn vị; không ghi nhớ địa chỉ.",
              "The message counts for each unit; no address is remembered."),
    "learned": ("Địa chỉ {addr} được ghi nhớ cho {unit}.", "{addr} is remembered for {unit}."),
    "ignored": ("Đã ghi (quyết định số {id}): thư {key} được bỏ qua.",
                "Saved (decision {id}): message {key} is ignored."),
    "excused": ("Đã ghi (quyết định số {id}): {unit} được miễn nộp cho {rid}.",
                "Saved (decision {id}): {unit} is excused from {rid}."),
    "extended": ("Đã ghi (quyết định số {id}): hạn của {unit} cho {rid} là {until}.",
                 "Saved (decision {id}): {unit}'s deadline for {rid} is {until}."),
    "accepted": ("Đã ghi (quyết định số {id}): bài {unit} gửi cho {rid} được coi là đủ.",
                 "Saved (decision {id}): what {unit} sent for {rid} is taken as complete."),
    "unlearned": ("Đã ghi (quyết định số {id}): bỏ ghi nhớ địa chỉ {addr}.",
                  "Saved (decision {id}): {addr} is forgotten."),
    "undone": ("Đã hoàn tác quyết định số {id} ({kind}: {what}).",
               "Decision {id} is undone ({kind}: {what})."),
    "user_added": ("Đã tạo tài khoản {name} ({role}).", "Account {name} ({role}) created."),
    "user_removed": ("Đã xoá tài khoản {name}.", "Account {name} removed."),
    "user_missing": ("Không có tài khoản {account}.", "There is no account {account}."),
    "user_none": ("Chưa có tài khoản nào: tạo bằng `mailtally user add TÊN`.",
                  "No account yet: create one with `mailtally user add NAME`."),
    "user_refused_name": ("Không tạo được tài khoản {account}: tên chỉ gồm chữ, số và . _ - @ "
                          "(tối đa 64 ký tự).",
                          "Cannot create the account {account}: a name is letters, digits and "
                          ". _ - @ (at most 64)."),
    "user_refused_role": ("Không tạo được tài khoản {account}: vai trò là clerk hoặc viewer.",
                          "Cannot create the account {account}: the role is clerk or viewer."),
    "user_refused_password": ("Không tạo được tài khoản {account}: mật khẩu cần ít nhất 8 ký tự.",
                              "Cannot create the account {account}: the password needs at least "
                              "8 characters."),
    "user_refused_exists": ("Không tạo được tài khoản {account}: tài khoản này đã có.",
                            "Cannot create the account {account}: it exists already."),
    "user_refused_mismatch": ("Không tạo được tài khoản: hai lần nhập mật khẩu không giống nhau.",
                              "Cannot create the account: the two passwords differ."),
    "web_cannot_listen": ("Không mở được trang làm việc: {reason} (xem [web] host, port).",
                          "Cannot start the workspace: {reason} (see [web] host, port)."),
    "password_prompt": ("Mật khẩu: ", "Password: "),
    "password_again": ("Nhập lại mật khẩu: ", "Password again: "),
    "undo_hint": ("Hoàn tác: {command} undo {id}", "To undo: {command} undo {id}"),
    "bad_datetime": ("Ngày giờ không hợp lệ: {value} (ví dụ 14/08/2023 17:00, 17g00 14/8/2023, "
                     "14/08/2023 hoặc 2023-08-14T17:00). Không có gì thay đổi.",
                     "Not a valid date and time: {value} (e.g. 14/08/2023 17:00, 17g00 "
                     "14/8/2023, 14/08/2023 or 2023-08-14T17:00). Nothing was changed."),
    "assign_usage": ("Cần mã đơn vị: assign MÃ_THƯ MÃ_ĐƠN_VỊ[,MÃ_ĐƠN_VỊ…] [MÃ_VĂN_BẢN], hoặc "
                     "assign MÃ_THƯ --ignore",
                     "A unit code is needed: assign KEY UNIT[,UNIT…] [REQUEST], or assign KEY "
                     "--ignore"),
    "outputs_later": ("Báo cáo sẽ được cập nhật ở lần chạy tới.",
                      "The report will be updated on the next run."),
    "backed_up": ("Đã sao lưu {messages} thư vào {dest}: {copied} tệp mới ({size} MB), {kept} "
                  "tệp đã có từ lần trước.",
                  "Backed up {messages} messages into {dest}: {copied} new files ({size} MB), "
                  "{kept} already there."),
    "no_decisions": ("Chưa có quyết định nào.", "No decisions yet."),
    "decisions_header": ("Số | Loại | Nội dung | Người quyết định | Lúc | Lý do | Hoàn tác",
                         "ID | Kind | What | Author | Time | Reason | Undone"),
    "undone_by": ("{who} lúc {at}", "by {who} at {at}"),
    "until": ("đến {until}", "until {until}"),
    "address": ("địa chỉ {addr}", "address {addr}"),
    "config_ok": ("Cấu hình hợp lệ: {units} đơn vị, {requests} văn bản, {sources} nguồn thư.",
                  "Configuration valid: {units} units, {requests} requests, {sources} sources."),
    "source_ok": ("  [đạt] {name}", "  [ok] {name}"),
    "source_bad": ("  [LỖI] {name}: {reason}", "  [FAIL] {name}: {reason}"),
    "notice_unreadable": (
        "Không đọc được văn bản {name}: {why}. Hãy dùng tệp .pdf, .docx, .odt, .txt hoặc .eml, "
        "hoặc mã của một thư đã lưu.",
        "Could not read the notice {name}: {why}. Use a .pdf, .docx, .odt, .txt or .eml file, or "
        "the key of a stored message."),
    "notice_unreadable_missing": ("không có tệp hay thư đã lưu nào mang tên này",
                                  "there is no such file or stored message"),
    "notice_unreadable_ambiguous": ("mã này khớp nhiều thư đã lưu; hãy gõ thêm ký tự",
                                    "this key matches several stored messages; type more of it"),
    "notice_unreadable_type": ("không phải loại tệp đọc được",
                               "not a type of file that can be read"),
    "notice_unreadable_empty": ("không lấy được chữ nào từ tệp (có thể là bản quét, cần gõ lại)",
                                "no text could be taken from it (a scan, perhaps)"),
    "notice_unreadable_unreadable": ("tệp hỏng hoặc không mở được",
                                     "the file is damaged or cannot be opened"),
    "args_missing": ("thiếu {what}.", "{what} missing."),
    "args_unknown": ("không hiểu {what}.", "not understood: {what}."),
    "args_choice": ("không có lựa chọn “{value}” ({arg}); gần nhất: {closest}.",
                    "there is no choice “{value}” ({arg}); the closest: {closest}."),
    "args_number": ("{arg} phải là một số, không phải “{value}”.",
                    "{arg} must be a number, not “{value}”."),
    "args_value": ("{arg} cần một giá trị.", "{arg} needs a value."),
    "args_other": ("lệnh gõ chưa đúng ({what}).", "the command is not right ({what})."),
    "source_path_missing": ("không còn thư mục hay tệp {path} (được đặt trong settings.toml)",
                            "{path} (set in settings.toml) is no longer there"),
    "store": ("Dữ liệu ({path}): {messages} thư đã lưu, {unparseable} không đọc được, "
              "{needs} cần người xử lý.",
              "Store ({path}): {messages} messages kept, {unparseable} unparseable, "
              "{needs} waiting for a person."),
    "poll": ("  {name}: lần đọc thành công gần nhất {last_ok}{error}",
             "  {name}: last successful poll {last_ok}{error}"),
    "never": ("chưa có", "never"),
    "backup": ("Sao lưu gần nhất: {at}, {messages} thư, vào {dest}",
               "Last backup: {at}, {messages} messages, into {dest}"),
    "no_backup": ("Chưa sao lưu lần nào: xem `mailtally backup` (README, Backing up).",
                  "Never backed up: see `mailtally backup` (README, Backing up)."),
    "warning": ("CẢNH BÁO", "WARNING"),
    "health_never_polled": ("Chưa đọc được thư từ nguồn {source} lần nào.",
                            "Source {source} has never been polled successfully."),
    "health_stale_poll": ("Nguồn {source}: lần đọc thư thành công gần nhất cách đây {hours} giờ "
                          "(quá 3 chu kỳ {minutes} phút).",
                          "Source {source}: last successful poll {hours} hours ago (more than "
                          "3 intervals of {minutes} minutes)."),
    "health_failing_source": ("Nguồn {source} lỗi {failures} lần liên tiếp: {error}",
                              "Source {source} failed {failures} times in a row: {error}"),
    "health_quiet_inbox": ("{request_id} sắp hết hạn nhưng 24 giờ qua không nhận được thư nào: "
                           "hãy kiểm tra hộp thư có còn được đọc không.",
                           "{request_id} is due within a day but no mail at all arrived in 24 "
                           "hours: check that the inbox is still being read."),
    # Mail to units (app/notify.py, app/remind.py).
    "health_outbox_retry": ("{n} thư gửi đơn vị chưa gửi được, sẽ thử lại: {error} ({units})",
                            "{n} mail(s) to units could not be sent yet and will be retried: "
                            "{error} ({units})"),
    "health_outbox_failed": ("{n} thư gửi đơn vị không gửi được: {error} ({units})",
                             "{n} mail(s) to units could not be sent: {error} ({units})"),
    "health_outbox_unknown": ("{n} thư gửi đơn vị không chắc đã gửi (không gửi lại): {error} "
                              "({units})",
                              "{n} mail(s) to units: not sure they were sent (not sent again): "
                              "{error} ({units})"),
    "notify_off": ("Chưa bật gửi thư cho đơn vị: thêm mục [notify] vào {file} (README, Mail to "
                   "units).",
                   "Mail to units is off: add a [notify] section to {file} (README, Mail to "
                   "units)."),
    "remind_nobody": ("Không đơn vị nào còn nợ báo cáo cho {rid}.",
                      "No unit still owes {rid} anything."),
    "remind_unit": ("== {code} {name} ({status})", "== {code} {name} ({status})"),
    "remind_no_address": ("   không có địa chỉ nào trong danh sách: không gửi được",
                          "   no address in the roster: cannot be sent"),
    "remind_to": ("Gửi tới: {to}", "To: {to}"),
    "remind_subject": ("Tiêu đề: {subject}", "Subject: {subject}"),
    "remind_preview_only": ("Chưa gửi gì. Gửi ngay: mailtally remind {rid} --send",
                            "Nothing was sent. To send now: mailtally remind {rid} --send"),
    "remind_sent": ("Đã gửi {n} thư nhắc.", "Sent {n} reminder(s)."),
    "remind_written": ("Đã ghi {n} thư nhắc vào {folder} (send = false: không gửi đi).",
                       "Wrote {n} reminder(s) to {folder} (send = false: nothing was sent)."),
    "remind_held": ("{n} thư chờ gửi ở lần chạy sau (giới hạn max_per_hour, hoặc máy chủ chưa "
                    "sẵn sàng).",
                    "{n} mail(s) wait for a later run (max_per_hour, or the server is not "
                    "ready)."),
    "remind_trouble": ("{n} thư chưa gửi được; xem `mailtally check`.",
                       "{n} mail(s) could not be sent; see `mailtally check`."),
    "outbox_summary": ("Thư gửi đơn vị: {parts}.", "Mail to units: {parts}."),
    "outbox_none": ("chưa có thư nào", "none yet"),
    "outbox_queued": ("{n} chờ gửi", "{n} queued"),
    "outbox_sending": ("{n} đang gửi", "{n} sending"),
    "outbox_sent": ("{n} đã gửi", "{n} sent"),
    "outbox_written": ("{n} đã ghi ra tệp (send = false)", "{n} written to files (send = false)"),
    "outbox_retry": ("{n} sẽ thử lại", "{n} to retry"),
    "outbox_failed": ("{n} không gửi được", "{n} failed"),
    "outbox_unknown": ("{n} không chắc đã gửi", "{n} not sure sent"),
    "outbox_dropped": ("{n} bỏ (không còn cần)", "{n} dropped (no longer needed)"),
}

DECISION_LABELS: dict[str, tuple[str, str]] = {
    "assign": ("chỉ định", "assign"),
    "ignore": ("bỏ qua", "ignore"),
    "excuse": ("miễn nộp", "excuse"),
    "extend": ("gia hạn", "extend"),
    "accept": ("chấp nhận", "accept"),
    "unlearn": ("bỏ ghi nhớ", "unlearn"),
}


# The mails to units (outputs/notify_mail.py): receipts, reminders, overdue notices.
UNIT_MAIL_WORDS: dict[str, tuple[str, str]] = {
    "greeting": ("Kính gửi {unit},", "To {unit},"),
    "receipt_title": ("Đã nhận báo cáo", "Report received"),
    "receipt_intro": ("Văn phòng đã nhận thư của đơn vị gửi lúc {at} cho văn bản {rid}: {title}.",
                      "The office received your message of {at} for {rid}: {title}."),
    "counted": ("Đã ghi nhận:", "Counted:"),
    "report_files": ("Báo cáo", "Report"),
    "photo_files": ("Hình ảnh", "Photos"),
    "other_files": ("Tệp khác", "Other files"),
    "photo_links": ("Liên kết ảnh", "Photo links"),
    "links": ("{n} liên kết", "{n} link(s)"),
    "report_in_body": ("Báo cáo trong nội dung thư", "Report in the message body"),
    "yes": ("có", "yes"),
    "missing": ("Còn thiếu: {kinds}.", "Still missing: {kinds}."),
    "complete": ("Báo cáo của đơn vị đã đủ. Cảm ơn đơn vị.",
                 "Your report is complete. Thank you."),
    "complete_on_time": ("Hạn nộp: {deadline}; đủ lúc {at}: đúng hạn.",
                         "Deadline: {deadline}; complete at {at}: on time."),
    "complete_late": ("Hạn nộp: {deadline}; đủ lúc {at}: trễ {late}.",
                      "Deadline: {deadline}; complete at {at}: {late} late."),
    "deadline_left": ("Hạn nộp: {deadline} (còn {left}).", "Deadline: {deadline} ({left} left)."),
    "deadline_passed": ("Hạn nộp: {deadline} (đã quá hạn {left}).",
                        "Deadline: {deadline} (passed {left} ago)."),
    "send_missing": ("Xin gửi phần còn thiếu về {address}, tiêu đề ghi rõ số văn bản {rid}.",
                     "Please send what is missing to {address}, with {rid} in the subject."),
    "reminder_title": ("Nhắc nộp báo cáo", "Reminder: report due"),
    "overdue_title": ("Đã quá hạn nộp báo cáo", "Report overdue"),
    "reminder_intro": ("Văn phòng nhắc đơn vị về văn bản {rid}: {title}.",
                       "A reminder about {rid}: {title}."),
    "owed_none": ("Văn phòng chưa nhận được báo cáo của đơn vị. Cần nộp: {kinds}.",
                  "The office has not received your report yet. Required: {kinds}."),
    "owed_some": ("Văn phòng đã nhận {have}; còn thiếu: {kinds}.",
                  "The office has received {have}; still missing: {kinds}."),
    "send_to": ("Xin gửi về {address}, tiêu đề ghi rõ số văn bản {rid}.",
                "Please send it to {address}, with {rid} in the subject."),
    "footer": ("Thư này do hệ thống mailtally của Văn phòng gửi tự động. Nếu thông tin chưa đúng, "
               "xin liên hệ Văn phòng qua {address}.",
               "This mail was sent automatically by the office's mailtally. If anything here "
               "is wrong, please write to the office at {address}."),
    "report": ("báo cáo", "the report"),
    "images": ("hình ảnh", "photos"),
    "day": ("ngày", "d"),
    "hour": ("giờ", "h"),
    "minute": ("phút", "min"),
    "subject_reminder": ("Nhắc nộp báo cáo {rid}, hạn {deadline}",
                         "Reminder: {rid} is due {deadline}"),
    "subject_overdue": ("Quá hạn nộp báo cáo {rid} (hạn {deadline})",
                        "Overdue: {rid} (due {deadline})"),
}


# The comments of a proposed [[request]] table (outputs/request_toml.py).
NOTICE_TABLE_WORDS: dict[str, tuple[str, str]] = {
    "head": ("[[request]] đề xuất từ văn bản {origin}: kiểm tra từng dòng rồi dán vào "
             "requests.toml.",
             "[[request]] proposed from the notice {origin}: check each line, then paste it "
             "into requests.toml."),
    "read_from": ("Văn bản đọc từ {where}.", "The notice was read from {where}."),
    "from": ("từ", "from"),
    "note": ("lưu ý", "note"),
    "empty": ("ĐỂ TRỐNG", "LEFT EMPTY"),
    "fill": ("điền vào rồi bỏ dấu # ở đầu dòng dưới", "fill it in and remove the # below"),
    "grace": ("số phút cho phép trễ sau hạn (văn phòng tự đặt)",
              "minutes allowed after the deadline (the office's choice)"),
    "keywords_from": ("từ tiêu đề", "from the title"),
    "message_id": ("Message-ID của thư gửi văn bản", "the Message-ID of the mail that sent it"),
    "units_all": ("mọi đơn vị", "every unit"),
}


def say(key: str, language: str, /, **values: object) -> str:
    """The sentence `key` (from SENTENCES, else LABELS) in `language`, filled with `values`.
    Vietnamese unless `language` is "en"."""
    pair = SENTENCES.get(key) or LABELS[key]
    return (pair[1] if language == "en" else pair[0]).format(**values)

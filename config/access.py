"""What to tell the administrator when a file or folder cannot be read or written: the path, what
went wrong in plain words, and the fix, in both languages (pure, apart from asking who runs us).

Used by config/ (a config folder the service user cannot read) and ingest/ (a data dir, an output
dir or the lock that cannot be written); the command line prints the sentence, never a traceback.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
from pathlib import Path

# The folders the README's server layout uses; named in the fix for a read-only file system.
STATE_DIR = "/var/lib/mailtally"


class AccessError(Exception):
    """A file or folder mailtally needs cannot be read (exit status 1, not 2: the configuration
    may be right, the permissions are not). `str()` is the Vietnamese sentence."""

    def __init__(self, vi: str, en: str):
        super().__init__(vi)
        self.en = en

    def text(self, language: str) -> str:
        return self.en if language == "en" else str(self)


def current_user() -> tuple[str, str]:
    """The name of the user and of the group this process runs as (their ids if unnamed)."""
    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        user = str(os.geteuid())
    try:
        group = grp.getgrgid(os.getegid()).gr_name
    except KeyError:
        group = str(os.getegid())
    return user, group


def _folder(path: Path) -> Path:
    """`path` when it is a folder, else its parent (a folder we may not look into is a file)."""
    try:
        return path if path.is_dir() else path.parent
    except OSError:
        return path.parent


def write_problem(path: Path, exc: BaseException, fix_dir: Path | None = None, *,
                  creating: bool = False) -> tuple[str, str]:
    """Why `path` could not be written, and the fix: ("vi", "en"), each one clause that starts
    with the path. `fix_dir` is the folder whose owner should change (default: `path`'s);
    `creating` says `path` is a folder that could not be created (the fix is to create it for
    this user, not to give them its parent)."""
    folder = fix_dir or _folder(path)
    code = exc.errno if isinstance(exc, OSError) else None
    detail = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
    user, group = current_user()
    if creating and code in (errno.EACCES, errno.EPERM):
        return (f"{path}: người dùng {user} không tạo được thư mục này ({detail}); cách sửa: "
                f"`sudo install -d -o {user} -g {group} -m 0750 {path}`",
                f"{path}: user {user} may not create this folder ({detail}); fix: "
                f"`sudo install -d -o {user} -g {group} -m 0750 {path}`")
    if code in (errno.EACCES, errno.EPERM):
        return (f"{path}: người dùng {user} không có quyền ghi vào đó ({detail}); cách sửa: "
                f"`sudo chown -R {user}: {folder}`, hoặc chạy mailtally bằng người dùng sở hữu "
                "thư mục đó",
                f"{path}: user {user} may not write there ({detail}); fix: "
                f"`sudo chown -R {user}: {folder}`, or run mailtally as the user who owns "
                "that folder")
    if code == errno.EROFS:
        return (f"{path}: hệ thống tệp ở đó chỉ cho đọc ({detail}); cách sửa: trong "
                f"settings.toml, đặt data_dir và output_dir vào một thư mục ghi được, ví dụ "
                f"{STATE_DIR} (unit systemd kèm theo có StateDirectory=mailtally), không để "
                "dưới /etc",
                f"{path}: the file system there is read-only ({detail}); fix: in settings.toml, "
                f"point data_dir and output_dir at a writable folder such as {STATE_DIR} (the "
                "shipped systemd unit has StateDirectory=mailtally), not under /etc")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (f"{path}: ổ đĩa đã đầy ({detail}); cách sửa: giải phóng chỗ trống, lần chạy "
                "sau sẽ tiếp tục từ chỗ đã dừng",
                f"{path}: the disk is full ({detail}); fix: free some space, the next run goes "
                "on from where this one stopped")
    if code in (errno.ENOTDIR, errno.EEXIST):
        return (f"{path}: đó không phải là một thư mục ({detail}); cách sửa: đặt data_dir và "
                "output_dir trong settings.toml vào một thư mục",
                f"{path}: that is not a folder ({detail}); fix: point data_dir and output_dir "
                "in settings.toml at a folder")
    return (f"{path}: {detail}", f"{path}: {detail}")


def read_problem(path: Path, exc: BaseException) -> AccessError:
    """The error for a configuration file or folder that cannot be read."""
    folder = _folder(path)
    detail = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
    user, group = current_user()
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return AccessError(
            f"Không đọc được {path}: người dùng {user} không có quyền đọc ({detail}); cách sửa: "
            f"`sudo chgrp -R {group} {folder} && sudo chmod -R g+rX {folder}` (chỉ cần quyền "
            "đọc).",
            f"Cannot read {path}: user {user} may not read it ({detail}); fix: "
            f"`sudo chgrp -R {group} {folder} && sudo chmod -R g+rX {folder}` (read access "
            "is enough).")
    return AccessError(f"Không đọc được {path}: {detail}.", f"Cannot read {path}: {detail}.")

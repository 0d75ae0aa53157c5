"""One warm LibreOffice for a whole batch, the watcher or the web server, owned by the parent process.

`Office` starts unoserver (which starts soffice) in a process group of its own, restarts it whenever it
dies, and stops the whole group on exit (Ctrl-C included). Worker processes get only `Office.handle`, a
small picklable value naming the Office's folder; everything that changes (the port, the process id,
whether the warm server could be started at all) is in files there:

    HOME/address.json   {"port": …, "pid": …, "generation": …} once the server answers, or {"cold": why}
    HOME/convert.lock   taken by one conversion at a time (the server converts one document at a time)
    HOME/fonts.conf     fontconfig file: Nikosh if installed, else Noto Sans Bengali (see docs/pdf.md)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ADDRESS, LOCK, FONTS_CONF = "address.json", "convert.lock", "fonts.conf"
UNO_PYTHON = os.environ.get("GEN_UNO_PYTHON", "/usr/bin/python3")  # Debian's Python, where python3-uno lives

# Word names the font Nikosh. An installed Nikosh comes first (<accept> appends after the family itself);
# without it LibreOffice takes these, which shape Bangla and are embedded in the PDF.
FONTS_XML = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same">
    <family>Nikosh</family>
    <accept><family>Noto Sans Bengali</family><family>Noto Sans</family></accept>
  </alias>
</fontconfig>
"""


@dataclass(frozen=True)
class OfficeHandle:
    """What a worker needs to convert through the parent's Office: its folder and the soffice to fall back on."""

    home: str
    soffice: str


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_fonts_conf(folder: Path) -> Path:
    path = Path(folder) / FONTS_CONF
    if not path.exists() or path.read_text() != FONTS_XML:
        path.write_text(FONTS_XML)
    return path


# LibreOffice's "Numerals: Context": a digit is drawn in the digits of its run's language. Every run of our
# documents is en-US (Latin digits, as typed) except the page numbers, which are bn-BD: so a page number
# reads পৃষ্ঠা ২ while web addresses and Latin words keep their digits (docs/pdf.md).
SETTINGS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/I18N/CTL"><prop oor:name="CTLTextNumerals" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


def seed_profile(profile: Path) -> None:
    """The settings our conversions need, in a LibreOffice profile before its first start."""
    settings = Path(profile) / "user" / "registrymodifications.xcu"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(SETTINGS_XCU)


def lo_environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ, FONTCONFIG_FILE=str(write_fonts_conf(folder)))
    env.pop("PYTHONPATH", None)
    return env


@cache
def unoserver_path() -> Path | None:
    """The folder of the installed unoserver package, or None when the warm server cannot run here: no
    unoserver, no Debian Python, or no uno in it."""
    try:
        import unoserver
    except ImportError:
        return None
    if not os.access(UNO_PYTHON, os.X_OK):
        return None
    try:
        subprocess.run([UNO_PYTHON, "-c", "import uno"], check=True, capture_output=True, timeout=30, env={})
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(unoserver.__file__).parent


def _python_path(home: Path) -> Path:
    """A folder holding only links to unoserver and its metadata, for PYTHONPATH of Debian's Python (the
    whole of our site-packages there would shadow its own modules)."""
    package = unoserver_path()
    assert package is not None
    folder = home / "pythonpath"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for path in [package, *package.parent.glob("unoserver-*.dist-info")]:  # it reads its version from metadata
        (folder / path.name).symlink_to(path, target_is_directory=True)
    return folder


class TimeoutTransport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a socket time limit (the standard transport waits for ever)."""

    def __init__(self, timeout: float):
        super().__init__(use_builtin_types=True)
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def proxy(port: int, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}", transport=TimeoutTransport(timeout),
                                     allow_none=True, use_builtin_types=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_address(home: Path) -> dict | None:
    try:
        return json.loads((Path(home) / ADDRESS).read_text())
    except (OSError, ValueError):
        return None


def _write_address(home: Path, address: dict) -> None:
    tmp = home / (ADDRESS + ".tmp")
    tmp.write_text(json.dumps(address))
    os.replace(tmp, home / ADDRESS)


def kill_group(home: Path, pid: int) -> None:
    """Kill the server's whole process group (unoserver and soffice), but only if `pid` is still the server
    started for `home`: a process id read from a file may have been reused."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        if str(home) not in cmdline or os.getpgid(pid) != pid:
            return
        os.killpg(pid, signal.SIGKILL)
    except (OSError, ProcessLookupError):
        pass


_LAUNCH = Path(__file__).with_name("unoserver_launch.py")  # run in Debian's Python: unoserver, without its fixed waits


class Office:
    """A warm LibreOffice (unoserver) for as long as the `with` block runs. `folder` holds its profile and
    files (default: a temporary folder, removed on exit). Without Debian's Python and python3-uno it runs
    cold: each conversion starts its own soffice. `startup` bounds one start of the server."""

    def __init__(self, folder: Path | None = None, *, warm: bool = True, startup: float = 60.0):
        self._given = folder
        self.warm = warm and unoserver_path() is not None
        self.startup = startup
        self.restarts = 0  # how many times the server was started again after it died
        self._proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.home = Path()

    @property
    def handle(self) -> OfficeHandle:
        return OfficeHandle(str(self.home), soffice() or "soffice")

    def __enter__(self) -> Office:
        if self._given is None:
            self.home = Path(tempfile.mkdtemp(prefix="gen-office-"))
        else:
            self.home = Path(self._given).resolve()
            self.home.mkdir(parents=True, exist_ok=True)
            os.chmod(self.home, 0o700)
        (self.home / ADDRESS).unlink(missing_ok=True)
        write_fonts_conf(self.home)
        if not self.warm or not soffice():
            _write_address(self.home, {"cold": "unoserver or python3-uno is not available"})
            return self
        self._thread = threading.Thread(target=self._watch, name="gen-office", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self._kill()  # SIGKILL at once: LibreOffice has nothing to save, and a SIGTERM first left a window
        (self.home / ADDRESS).unlink(missing_ok=True)
        if self._given is None:
            shutil.rmtree(self.home, ignore_errors=True)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """True once the server answers (or the Office runs cold)."""
        deadline = time.monotonic() + (self.startup if timeout is None else timeout)
        while time.monotonic() < deadline:
            address = read_address(self.home)
            if address and ("cold" in address or "port" in address):
                return True
            time.sleep(0.05)
        return False

    def _watch(self) -> None:
        failures = 0
        generation = 0
        while not self._stop.is_set():
            generation += 1
            if self._start(generation):
                failures = 0
                while not self._stop.wait(0.1) and self._proc and self._proc.poll() is None:
                    pass
                if self._stop.is_set():
                    return  # __exit__ stops the server
                (self.home / ADDRESS).unlink(missing_ok=True)
                self._kill()
                self.restarts += 1
            else:
                self._kill()
                failures += 1
                if failures >= 3:
                    _write_address(self.home, {"cold": "the warm LibreOffice did not start three times"})
                    return
                self._stop.wait(min(30.0, 2.0 ** failures))

    def _start(self, generation: int) -> bool:
        port, uno_port = _free_port(), _free_port()
        while uno_port == port:
            uno_port = _free_port()
        profile = self.home / "profile"
        seed_profile(profile)
        env = lo_environment(self.home)
        env["PYTHONPATH"] = str(_python_path(self.home))
        cmd = [UNO_PYTHON, str(_LAUNCH), str(os.getpid()), "--port", str(port), "--uno-port", str(uno_port),
               "--user-installation", str(profile), "--executable", soffice() or "soffice", "--quiet",
               "--libreoffice-pid-file", str(self.home / "soffice.pid")]
        (self.home / "soffice.pid").unlink(missing_ok=True)
        log = open(self.home / "unoserver.log", "wb")  # the last start's messages only
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                          start_new_session=True, cwd=self.home)
        finally:
            log.close()
        server = proxy(port, 10)
        deadline = time.monotonic() + self.startup
        while time.monotonic() < deadline and not self._stop.is_set() and self._proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                server.info()
            except (OSError, xmlrpc.client.Error):
                time.sleep(0.2)
                continue
            try:
                office_pid = int((self.home / "soffice.pid").read_text())
            except (OSError, ValueError):
                time.sleep(0.1)  # unoserver writes it just after it starts serving
                continue
            _write_address(self.home, {"port": port, "pid": self._proc.pid, "office": office_pid,
                                       "generation": generation})
            return True
        return False

    def _kill(self, grace: float = 0.0) -> None:
        """Stop the server's process group: SIGTERM and `grace` seconds to close, then SIGKILL."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)) if grace else ((signal.SIGKILL, 10.0),):
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice outlives unoserver if it was not signalled with it
        except (ProcessLookupError, PermissionError):
            pass

"""A small supervisor: keeps the served stack's parts running and restarts what crashes.

Parts are the local database cluster (started by `scripts/localdb`, watched through its
postmaster.pid), each gunicorn app instance and nginx. A part that dies is started again after a
backoff (0 s for the first crash, then 1, 2, 4 … up to 30 s; the count resets once a part has run
for 60 s), with one log line per restart; the other parts keep running.

Privileges: started as root, the supervisor is the only process that keeps root. The app
instances and nginx run as the app user (`Run`: setuid/setgid/initgroups in the child before
exec); the database is started by `scripts/localdb`, which itself runs PostgreSQL as the
cluster's owner. Each child is its own process group (nginx and gunicorn workers that outlive a
killed master are ended with it) and gets SIGTERM if the supervisor dies.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_MAX = 30.0  # seconds between restarts of a part that keeps crashing
STABLE_AFTER = 60.0  # a part running this long counts as healthy again (backoff reset)
PR_SET_PDEATHSIG = 1


def log(msg: str) -> None:
    """One line on stdout (scripts/serve's log), with the time."""
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} supervise: {msg}", flush=True)


@dataclass(frozen=True)
class Run:
    """The OS user a child runs as (None: the supervisor's own)."""

    user: str | None = None

    @classmethod
    def for_app(cls, name: str | None) -> Run:
        """As root: the named user; otherwise the current user (nothing to change)."""
        return cls(name if os.geteuid() == 0 and name else None)

    def popen_kwargs(self) -> dict:
        """Arguments for subprocess.Popen: own process group, user, groups, HOME, pdeathsig."""
        kw: dict = {"process_group": 0, "preexec_fn": _die_with_parent}
        if self.user is None:
            return kw
        pw = pwd.getpwnam(self.user)
        kw.update(
            user=pw.pw_uid,
            group=pw.pw_gid,
            extra_groups=os.getgrouplist(self.user, pw.pw_gid),
        )
        kw["env"] = {**os.environ, "HOME": pw.pw_dir, "USER": self.user, "LOGNAME": self.user}
        return kw

    def chown(self, *paths: Path) -> None:
        """Hand files and folders (recursively) to this user."""
        if self.user is None:
            return
        pw = pwd.getpwnam(self.user)
        for top in paths:
            os.chown(top, pw.pw_uid, pw.pw_gid)
            if top.is_dir():
                for dirpath, dirnames, filenames in os.walk(top):
                    for n in dirnames + filenames:
                        os.chown(Path(dirpath) / n, pw.pw_uid, pw.pw_gid, follow_symlinks=False)


def _die_with_parent() -> None:
    """In the child, before exec (after setuid): SIGTERM when the supervisor goes away."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass
class Part:
    """One supervised part: how to start it, whether it is alive, how to stop it."""

    name: str
    failures: int = 0
    started_at: float = 0.0
    restart_at: float | None = None  # when dead: the time of the next start
    restarts: int = 0

    def launch(self) -> None:
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def describe_exit(self) -> str:
        return "died"

    def cleanup(self) -> None:
        """After a crash, before the restart: end what the dead part left behind."""

    def stop(self) -> None:
        """Ask it to stop (the supervisor then waits for all parts)."""

    def wait(self, timeout: float) -> None:
        """Wait until stopped, kill what is left after the timeout."""

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.restart_at = None
        self.launch()


@dataclass
class Proc(Part):
    """A foreground process (gunicorn master, nginx master) started by the supervisor."""

    cmd: list[str] = field(default_factory=list)
    cwd: Path | None = None
    run: Run = field(default_factory=Run)
    env: dict[str, str] = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM
    proc: subprocess.Popen | None = None

    def launch(self) -> None:
        kw = self.run.popen_kwargs()
        kw["env"] = {**kw.get("env", os.environ), **self.env}
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, **kw)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def describe_exit(self) -> str:
        rc = self.proc.returncode if self.proc else None
        if rc is not None and rc < 0:
            return f"(pid {self.proc.pid}) was killed by {signal.Signals(-rc).name}"
        return f"(pid {self.proc.pid if self.proc else '?'}) exited with {rc}"

    def cleanup(self) -> None:
        # Workers of a killed master (nginx's keep the listening socket) are in its group.
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(self.stop_signal)

    def wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.cleanup()


@dataclass
class LocalCluster(Part):
    """The project's local PostgreSQL cluster: `scripts/localdb start KIND` starts it (as its
    owner); alive while the postmaster named in postmaster.pid runs. Not stopped with the stack
    (scripts/setup started it, `scripts/localdb stop` stops it)."""

    localdb: Path = Path("scripts/localdb")
    kind: str = "served"
    pgdir: Path = Path(".pgdata")
    starter: subprocess.Popen | None = None
    last_output: str = ""

    def launch(self) -> None:
        self.starter = subprocess.Popen(
            [str(self.localdb), "start", self.kind],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
        )

    def postmaster_pid(self) -> int | None:
        try:
            pid = int((self.pgdir / "cluster" / "postmaster.pid").read_text().split()[0])
            status = Path(f"/proc/{pid}/status").read_text()
        except (OSError, ValueError, IndexError):
            return None
        return None if "\nState:\tZ" in status else pid

    def alive(self) -> bool:
        if self.starter is not None:
            if self.starter.poll() is None:
                return True  # still starting (pg_ctl -w waits for recovery)
            out = self.starter.stdout.read() if self.starter.stdout else ""
            rc = self.starter.returncode
            self.starter = None
            if rc != 0:
                lines = out.strip().splitlines()
                self.last_output = lines[-1] if lines else f"scripts/localdb exited with {rc}"
                return False
        return self.postmaster_pid() is not None

    def describe_exit(self) -> str:
        if self.last_output:
            out, self.last_output = self.last_output, ""
            return f"did not start ({out})"
        return "is not running (postmaster gone)"

    def wait(self, timeout: float) -> None:
        if self.starter is not None:
            try:
                self.starter.wait(timeout)
            except subprocess.TimeoutExpired:
                self.starter.kill()


class Supervisor:
    """Start the parts in order, then restart each one that dies, until stopped."""

    def __init__(self, parts: list[Part], tick: float = 0.2):
        self.parts = parts
        self.tick = tick
        self.stopping = False

    def backoff(self, part: Part) -> float:
        """0 s for a first crash, then 1, 2, 4 … s, at most BACKOFF_MAX."""
        if part.failures <= 1:
            return 0.0
        return min(BACKOFF_MAX, 2.0 ** (part.failures - 2))

    def check(self) -> None:
        """One round: notice deaths, start what is due."""
        now = time.monotonic()
        for part in self.parts:
            if self.stopping:
                return
            if part.restart_at is None:
                if part.alive():
                    if part.failures and now - part.started_at > STABLE_AFTER:
                        part.failures = 0
                    continue
                part.failures += 1
                delay = self.backoff(part)
                part.restart_at = now + delay
                part.restarts += 1
                log(
                    f"{part.name} {part.describe_exit()}; restart #{part.restarts} "
                    f"in {delay:.0f} s (failure {part.failures} in a row)"
                )
                part.cleanup()
            if part.restart_at is not None and now >= part.restart_at:
                try:
                    part.start()
                except OSError as e:
                    log(f"{part.name} could not be started: {e}")
                    part.restart_at = None  # counted as the next failure on the next round

    def run(self) -> None:
        while not self.stopping:
            self.check()
            time.sleep(self.tick)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop in reverse order (nginx first: no new requests), wait, kill what is left."""
        self.stopping = True
        for part in reversed(self.parts):
            part.stop()
        deadline = time.monotonic() + timeout
        for part in reversed(self.parts):
            part.wait(max(0.1, deadline - time.monotonic()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run scripts/serve (python -m scripts.servelib.stack)")

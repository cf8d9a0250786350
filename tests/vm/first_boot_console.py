#!/usr/bin/env python3
"""The household's first start, played on a VM's serial console (tests/vm/deploy_boot_test.sh).

Connects to QEMU's serial port (a UNIX socket), copies everything the machine prints to LOG, and
plays the household: answers Atelier's first-boot account step (imager/deploy/first_boot.cpp) with
one refused user name and one mistyped confirmation first, then logs in on the login prompt that
follows with the new account and runs a command, which must print the account's name and a sum.

Usage: first_boot_console.py SOCKET LOG TIMEOUT_SECONDS HOSTNAME
Exit status 0 when the command's output came back, 1 otherwise (the reason on standard output).
"""
import os
import re
import socket
import sys
import time

USER = "famille"
PASSWORD = "Un mot de passe 42"


class Console:
    def __init__(self, path, log, deadline):
        self.deadline = deadline
        self.log = open(log, "ab", buffering=0)
        self.seen = b""  # everything since the last match
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise SystemExit(f"FAIL: no serial socket at {path}")
                time.sleep(0.2)
        self.sock.settimeout(1.0)

    def expect(self, pattern, what):
        """Reads until `pattern` (a regular expression on bytes) matches; returns the match."""
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.seen)
            if match:
                self.seen = self.seen[match.end():]
                return match
            if time.monotonic() > self.deadline:
                raise SystemExit(f"FAIL: no {what} on the serial console in time")
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                raise SystemExit(f"FAIL: the serial console closed before {what}")
            self.log.write(data)
            self.seen += data.replace(b"\r", b"")

    def send(self, line):
        time.sleep(0.3)  # a real person's pace: the prompt's read() is waiting by then
        self.sock.sendall(line.encode() + b"\r")


def main():
    path, log, timeout, hostname = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    started = time.monotonic()
    c = Console(path, log, started + timeout)
    # The step names the machine first, so that a volunteer or the pipeline tests can tell whose
    # first start this is.
    c.expect(re.escape(f"[{hostname}]").encode(), f"first-boot step of {hostname}")
    print(f"first-boot step on the console after {time.monotonic() - started:.0f} s")
    c.expect(rb"(Your name|Votre nom)[^\n]*: ", "name question")
    c.send("Jeanne Dupont")
    c.expect(rb"(User name|Nom d'utilisateur)[^\n]*: ", "user name question")
    c.send("Not Valid")
    c.expect(rb"Not Valid.{1,12}(will not do|ne convient pas)", "refusal of a bad user name")
    c.expect(rb"(User name|Nom d'utilisateur)[^\n]*: ", "user name question, again")
    c.send(USER)
    for attempt, confirmation in ((1, PASSWORD + "x"), (2, PASSWORD)):
        c.expect(rb"(Password|Mot de passe)[^\n]*: ", f"password question ({attempt})")
        c.send(PASSWORD)
        c.expect(rb"(again|encore une fois)[^\n]*: ", f"confirmation question ({attempt})")
        c.send(confirmation)
        if attempt == 1:
            c.expect(rb"(differ|diff\xc3\xa8rent)", "refusal of a mistyped confirmation")
    c.expect(rb"(account|compte)[^\n]*" + USER.encode() + rb"[^\n]*(is ready|est pr\xc3\xaat)",
             "account created")
    print("account created by the first-boot step")
    c.expect(re.escape(f"{hostname} login: ").encode(), "login prompt after the first-boot step")
    c.send(USER)
    c.expect(rb"Password: ", "password prompt of login")
    c.send(PASSWORD)
    c.expect(rb"[$#] ", "shell prompt of the new account")
    c.send("echo \"who=$(id -un) groups=$(id -Gn | tr ' ' ,) sum=$((6 * 7))\"")
    match = c.expect(rb"who=(\S+) groups=(\S*) sum=(\d+)\n", "output of the command")
    who, groups, total = (g.decode() for g in match.groups())
    if who != USER or total != "42":
        raise SystemExit(f"FAIL: the command printed who={who} sum={total}")
    print(f"logged in as {who} (groups {groups}) and ran a command: sum={total}")
    c.send("exit")
    return 0


if __name__ == "__main__":
    sys.exit(main())

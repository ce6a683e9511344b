"""A stand-in for ssh that runs the remote git command locally and relays its output slowly.

Used as GIT_SSH_COMMAND so a clone or fetch from ``ssh://localhost/<path>`` takes long enough
to be killed half way, deterministically and without any network.
"""

import os
import shlex
import subprocess
import sys
import threading
import time

command = shlex.split(sys.argv[-1])  # e.g. git-upload-pack '/tmp/.../upstream'
delay = float(os.environ.get("SLOW_SSH_DELAY", "0.02"))
child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def pump_in() -> None:
    while chunk := sys.stdin.buffer.read1(65536):
        child.stdin.write(chunk)
        child.stdin.flush()
    child.stdin.close()


threading.Thread(target=pump_in, daemon=True).start()
while chunk := child.stdout.read1(8192):
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    time.sleep(delay)
sys.exit(child.wait())

"""An email backend that holds every send until the test lets it go.

For the worker-kill test (test_faults.py), run in the worker's process: before it
sends, it leaves a ``sending-<pid>-<n>`` file in ``WARGA_TEST_OUTBOX`` (so the test
knows which process to kill, and when), then waits for a ``release`` file, then
writes each message there as ``sent-*.eml``.
"""

import os
import time
from pathlib import Path
from uuid import uuid4

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        outbox = Path(os.environ["WARGA_TEST_OUTBOX"])
        (outbox / f"sending-{os.getpid()}-{time.monotonic_ns()}").write_text(
            str(os.getpid())
        )
        while not (outbox / "release").exists():
            time.sleep(0.05)
        for message in messages:
            (outbox / f"sent-{uuid4().hex}.eml").write_bytes(
                message.message().as_bytes()
            )
        return len(messages)

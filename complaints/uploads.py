"""Caps what an upload may put on disk before our code sees it.

Django streams every uploaded file to a temporary file whatever its size. This
handler, first in FILE_UPLOAD_HANDLERS, passes on at most one byte more than the
photo limit for each file and drops the rest, so an oversize upload costs no more
disk than a large photo; the photo service then refuses it as too large.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class PhotoSizeCapHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.passed = 0
        self.cap = settings.WARGA_MAX_PHOTO_BYTES + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.cap - self.passed
        if room <= 0:
            return None  # later handlers never see the excess
        chunk = raw_data[:room]
        self.passed += len(chunk)
        return chunk

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file

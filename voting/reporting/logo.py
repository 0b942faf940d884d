"""The organiser's logo on the report: checked before it is stored.

Only PNG and JPEG, recognised by their first bytes (not by the name or the browser's
content type), at most MAX_BYTES, and an image Pillow can read whose pixel size stays
within MAX_PIXELS (a small file can decode into a huge image). SVG is refused: it can
carry scripts and external references.
"""

from __future__ import annotations

import base64
import io
import warnings

from voting.models import InputError

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 8_000_000
TYPES = {b"\x89PNG\r\n\x1a\n": ("image/png", "PNG"), b"\xff\xd8\xff": ("image/jpeg", "JPEG")}


def check(data: bytes) -> str:
    """The logo's content type, or an InputError that says what is wrong with it."""
    if not data:
        raise InputError("logo_missing", "Choose an image file first.")
    if len(data) > MAX_BYTES:
        raise InputError(
            "logo_too_large",
            "The logo can be at most {limit} MB (this file is larger).",
            limit=MAX_BYTES // 2**20,
        )
    found = next((kind for magic, kind in TYPES.items() if data.startswith(magic)), None)
    if found is None:
        raise InputError("logo_type", "The logo must be a PNG or JPEG image.")
    content_type, pillow_format = found
    from PIL import Image  # imported on use: only the logo upload needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise InputError(
                        "logo_pixels", "The logo can be at most {side} × {side} pixels.", side=MAX_SIDE
                    )
                image.verify()
    except InputError:
        raise
    except Exception:  # Pillow raises many kinds for a broken file
        raise InputError("logo_broken", "This image file is damaged or incomplete.") from None
    return content_type


def data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64," + base64.b64encode(data).decode()

"""The join QR code: as SVG for pages, as text for the terminal."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def svg(url: str) -> str:
    # A quiet zone of 4 modules, as the QR standard asks, keeps it scannable on any background.
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return str(image.to_string(encoding="unicode"))


def terminal(url: str) -> str:
    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()

"""The QR code shown when a user enrols their authenticator app."""

import io

import segno


def qr_svg(otpauth_url: str) -> str:
    """An inline SVG (no script, no external image) of the otpauth:// URL."""
    buffer = io.BytesIO()
    segno.make(otpauth_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR", nl=False
    )
    return buffer.getvalue().decode("utf-8")

"""The QR text: ``ASY1:`` + Base45(zlib(COSE_Sign1)), HCERT's barcode transport with our own prefix.

``ASY1:`` names the format (Asylon, version 1) the way ``HC1:`` names HCERT's, so a scanner
can tell our documents from health certificates and a later incompatible format takes
``ASY2:``. Every character is in the QR alphanumeric set, so the whole text is encoded in
alphanumeric mode at error correction Q.
"""

from __future__ import annotations

import zlib

from asylon.credentials import base45

PREFIX = "ASY1:"
# A version-40 QR holds 4,296 alphanumeric characters; no genuine text is longer, and the
# limits stop a crafted text or zlib stream from costing time or memory before it is refused.
MAX_TEXT = 4_296
MAX_INFLATED = 8_192


class WrongPrefix(ValueError):
    """The text does not start with ``ASY1:``."""


class NotBase45(ValueError):
    """The text after the prefix is not Base45."""


class NotZlib(ValueError):
    """The decoded bytes are not one complete zlib stream of acceptable size."""


def qr_text_encode(message: bytes) -> str:
    # HCERT "Payload (CWT) Compression": zlib (RFC 1950) with deflate; level 9 since issuing is rare.
    return PREFIX + base45.encode(zlib.compress(message, 9))


def qr_text_decode(text: str) -> bytes:
    """The COSE bytes inside a QR text; raises one of the three errors above."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise WrongPrefix(f"the text does not start with {PREFIX}")
    if len(text) > MAX_TEXT:
        raise NotBase45(f"the text is longer than any QR code holds ({MAX_TEXT} characters)")
    try:
        compressed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as error:
        raise NotBase45(str(error)) from None
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(compressed, MAX_INFLATED + 1)
    except zlib.error as error:
        raise NotZlib(f"not a zlib stream: {error}") from None
    if len(message) > MAX_INFLATED or inflater.unconsumed_tail:
        raise NotZlib(f"the content inflates beyond {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise NotZlib("the zlib stream is cut short")
    if inflater.unused_data:
        raise NotZlib("bytes follow the end of the zlib stream")
    return message

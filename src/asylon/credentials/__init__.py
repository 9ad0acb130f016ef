"""Identity documents anyone can verify offline, and that can be revoked.

The pure core, with no framework: ``cwt`` (the printed fields as a CBOR Web Token), ``cose``
(ES256 COSE_Sign1), ``transport`` (the ``ASY1:`` QR text), ``keys`` and ``trust`` (root and
document-signer keys, the signed trust list), ``status`` (the signed revocation list),
``issue`` and ``verify``. It follows the EU Digital COVID Certificate's HCERT pipeline
(CWT -> COSE_Sign1 -> zlib -> Base45 -> prefix) with integer claim keys and our own prefix.
"""

"""The primitives and labels gen_vectors.py computes its vectors with (see its docstring): a
second, independent implementation written from the algorithm text only, with Python's `hmac` and
`hashlib` and the OpenSSL command line for the AES block function, each value cross-checked
against an OpenSSL command where one exists."""

import hashlib
import hmac
import subprocess

# ------------------------------------------------------------------------------------------
# Primitives
# ------------------------------------------------------------------------------------------

def run_openssl(args, data=b""):
    return subprocess.run(["openssl"] + args, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True).stdout


def aes_ecb(key, blocks):
    """AES-ECB of whole blocks; the only thing borrowed from OpenSSL (checked against
    RFC 3711 App. B.2 and the RFC 3394 vectors below)."""
    assert len(blocks) % 16 == 0
    bits = len(key) * 8
    return run_openssl(["enc", "-aes-%d-ecb" % bits, "-nopad", "-K", key.hex()], blocks)


def xor(a, b):
    assert len(a) == len(b)
    return bytes(x ^ y for x, y in zip(a, b))


# RFC 3830 §4.1.2 P(s, label, m): A_0 = label, A_i = HMAC(s, A_(i-1)),
# output HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label).
def p_hash(digest, s, label, m):
    out = b""
    a = label
    for _ in range(m):
        a = hmac.new(s, a, digest).digest()
        out += hmac.new(s, a + label, digest).digest()
    return out


PRF_MIKEY_1 = 0          # HMAC-SHA-1, 160-bit blocks
PRF_HMAC_SHA_256 = 1     # RFC 6043 §6.1, 256-bit blocks


# RFC 3830 §4.1.2 PRF: split inkey into 256-bit chunks, P per chunk, XOR, truncate.
def mikey_prf(prf, inkey, label, outkey_bytes):
    digest, block = (hashlib.sha1, 20) if prf == PRF_MIKEY_1 else (hashlib.sha256, 32)
    m = -(-outkey_bytes // block)
    t = bytes(m * block)
    for i in range(0, len(inkey), 32):
        t = xor(t, p_hash(digest, inkey[i:i + 32], label, m))
    return t[:outkey_bytes]


def openssl_prf_command(prf, chunk, label, n):
    digest = "SHA1" if prf == PRF_MIKEY_1 else "SHA256"
    return ["kdf", "-keylen", str(n), "-kdfopt", "digest:" + digest, "-kdfopt",
            "hexsecret:" + chunk.hex(), "-kdfopt", "hexseed:" + label.hex(), "TLS1-PRF"]


def openssl_prf(prf, inkey, label, n):
    """Second opinion: OpenSSL's TLS1-PRF with one digest is exactly P_hash; XOR per chunk."""
    t = bytes(n)
    for i in range(0, len(inkey), 32):
        out = run_openssl(openssl_prf_command(prf, inkey[i:i + 32], label, n))
        t = xor(t, bytes.fromhex(out.decode().strip().replace(":", "")))
    return t


def cross_checked(what, ours, openssl, *args):
    """ours(*args), asserted equal to OpenSSL's openssl(*args)."""
    a = ours(*args)
    b = openssl(*args)
    assert a == b, (what + " mismatch", a.hex(), b.hex())
    return a


def prf_checked(prf, inkey, label, n):
    return cross_checked("PRF python vs openssl", mikey_prf, openssl_prf, prf, inkey, label, n)


def openssl_recipe(prf, inkey, label, n):
    lines = []
    for i in range(0, len(inkey), 32):
        lines.append("openssl " + " ".join(openssl_prf_command(prf, inkey[i:i + 32], label, n)))
    return lines


# RFC 3830 §4.2.3 / RFC 3711 AES-CM: keystream block j = AES(key, IV + j), 16-bit counter.
def aes_cm(key, iv, data):
    nblocks = -(-len(data) // 16)
    assert nblocks <= 0x10000
    base = int.from_bytes(iv, "big")
    counters = b"".join(((base + j) % (1 << 128)).to_bytes(16, "big") for j in range(nblocks))
    stream = aes_ecb(key, counters)
    return xor(data, stream[:len(data)])


def openssl_aes_ctr(key, iv, data):
    return run_openssl(["enc", "-aes-%d-ctr" % (len(key) * 8), "-K", key.hex(), "-iv", iv.hex()],
                       data)


def aes_cm_checked(key, iv, data):
    return cross_checked("AES-CM", aes_cm, openssl_aes_ctr, key, iv, data)


# RFC 3830 §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000.
def aes_cm_iv(salt14, csb_id, t64):
    assert len(salt14) == 14
    return xor(salt14, b"\x00\x00" + csb_id.to_bytes(4, "big") + t64.to_bytes(8, "big")) + \
        b"\x00\x00"


# RFC 3394 §2.2.1 key wrap (index-based form), IV given by the caller.
def aes_kw_wrap(kek, iv, p):
    assert len(iv) == 8 and len(p) % 8 == 0 and len(p) >= 16
    n = len(p) // 8
    a = iv
    r = [p[8 * i:8 * i + 8] for i in range(n)]
    for j in range(6):
        for i in range(n):
            b = aes_ecb(kek, a + r[i])
            t = n * j + i + 1
            a = xor(b[:8], t.to_bytes(8, "big"))
            r[i] = b[8:]
    return a + b"".join(r)


def openssl_aes_kw(kek, iv, p):
    return run_openssl(["enc", "-id-aes%d-wrap" % (len(kek) * 8), "-K", kek.hex(), "-iv",
                        iv.hex(), "-nopad"], p)


def aes_kw_checked(kek, iv, p):
    return cross_checked("AES-KW", aes_kw_wrap, openssl_aes_kw, kek, iv, p)


def openssl_hmac(digest_name, key, data):
    """Second opinion for HMAC: 'openssl mac -digest <SHA1|SHA256> -macopt hexkey:<key> HMAC'."""
    out = run_openssl(["mac", "-digest", digest_name, "-macopt", "hexkey:" + key.hex(), "HMAC"],
                      data)
    return bytes.fromhex(out.decode().strip())


# TS 33.220 Annex B.2: S = FC || P0 || L0 || P1 || L1 ..., Li 2 bytes; HMAC-SHA-256(Key, S).
def gba_s(fc, params):
    s = fc
    for p in params:
        s += p + len(p).to_bytes(2, "big")
    return s


def gba_kdf(key, fc, params):
    out = hmac.new(key, gba_s(fc, params), hashlib.sha256).digest()
    assert out == openssl_hmac("SHA256", key, gba_s(fc, params)), "GBA KDF mismatch"
    return out


# ------------------------------------------------------------------------------------------
# Labels, written from RFC 3830 §4.1.3/§4.1.4, RFC 6043 §5.1.1-§5.1.3, §6.10, App. A.2
# ------------------------------------------------------------------------------------------

def u32(v):
    return v.to_bytes(4, "big")


def label_tgk_3830(const, cs_id, csb_id, rand):
    return u32(const) + bytes([cs_id]) + u32(csb_id) + rand


def label_psk_3830(const, csb_id, rand):
    return u32(const) + b"\xff" + u32(csb_id) + rand


def label_forking(const, id_data, randr_kms):
    return (u32(const) + b"\xff" + b"\xff" * 4 + b"\x00" + len(id_data).to_bytes(2, "big") +
            id_data + bytes([len(randr_kms)]) + randr_kms)


def label_message(const, csb_id, direction, randri, randrr):
    return (u32(const) + b"\xff" + u32(csb_id) + bytes([direction]) + bytes([len(randri)]) +
            randri + bytes([len(randrr)]) + randrr)


def label_session(const, cs_id, randri, randrr):
    return (u32(const) + bytes([cs_id]) + b"\xff" * 4 + b"\x03" + bytes([len(randri)]) + randri +
            bytes([len(randrr)]) + randrr)


def label_vr(const):
    return u32(const) + b"\xff" + b"\xff" * 4 + b"\x04"


def label_tpk(const, rand):
    return u32(const) + b"\xff" + b"\xff" * 4 + b"\x05" + bytes([len(rand)]) + rand


def label_mpk(const, rand):
    return u32(const) + b"\xff" + b"\xff" * 4 + b"\x06" + bytes([len(rand)]) + rand


TEK, TGK_AUTH, TGK_ENCR, TGK_SALT = 0x2AD01C64, 0x1B5C7973, 0x15798CEF, 0x39A2C14B
ENCR, AUTH, SALT = 0x150533E1, 0x2D22AC75, 0x29B88916
FORK_MPKR, FORK_TGK = 0x2B288856, 0x1512B54A
MPKI, MPKR = 0x220E99A2, 0x1F4D675B


def seq(start, n):
    return bytes((start + i) & 0xFF for i in range(n))

#!/usr/bin/env python3
"""Checks the Wireshark Lua dissector (tools/wireshark/mikey_ticket.lua) against mikeyconf.

  1. Its code-point tables are those of the codec (reference/codec/codepoints.h).
  2. It runs the embedded KMS and KMS_R suites (`mikeyconf run --embedded`), dissects each
     transcript.pcap with `tshark -X lua_script:... -T pdml` and checks that
       * every HTTP body of type application/mikey is dissected by the Lua dissector, as many
         as results.json holds MIKEY bodies;
       * every message mikeyconf decodes (results.json `parses`) has no expert error and no
         _ws.malformed mark, every one it cannot decode has one (mikeyticket.truncated /
         mikeyticket.undecodable), and no frame has a Lua error (_ws.lua.error);
       * for each decoded message, the data type, the top-level payload chain and every field
         of the codec's layout map (`fields`: path, offset, length, hex) equal the dissector's
         field of the same name at the same offset.
  3. A hand-made pcap with the base64 body TS 33.328 Annex A sends: a whole message dissects
     with no expert error; the same message truncated is marked mikeyticket.truncated.
  4. The hand-assembled shapes (tools/tests/data/*.hex) and the third-party messages
     (tests/data/corpus/mikey-thirdparty) against `mikeyconf decode --json`, the same way.

Exit status 0 when all agree, 1 on a difference (printed) or a missing tool, 2 on bad
arguments. Only the Python standard library is used.
"""

import argparse
import base64
import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# The codec's payload type names (codepoints.h PayloadType, layout paths) → dissector owner.
OWNERS = {
    'KEMAC': 'kemac', 'PKE': 'pke', 'DH': 'dh', 'SIGN': 'sign', 'T': 't', 'ID': 'id',
    'CERT': 'cert', 'CHASH': 'chash', 'V': 'v', 'SP': 'sp', 'RAND': 'rand', 'ERR': 'err',
    'TR': 'tr', 'IDR': 'idr', 'RANDR': 'randr', 'TP': 'tp', 'TICKET': 'ticket',
    'General Ext': 'ext', 'IBAKE': 'ibake', 'ESK': 'esk', 'SAKKE': 'sakke',
}
NAMES = {v: k for k, v in OWNERS.items()}
OWNERS['General_Ext'] = 'ext'  # layout paths spell the name without its space
ERROR_EXPERTS = ('mikeyticket.truncated', 'mikeyticket.undecodable')
SEGMENT = re.compile(r'^payload\[\d+\]$')


def fail(errors, msg):
    errors.append(msg)
    if len(errors) <= 40:
        print(f'wireshark_dissector: {msg}', file=sys.stderr)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---- 1. code points ----

def codepoint_lines(header):
    src = header.read_text()
    out = []
    for reg, macro in re.findall(r'R\((\w+), std::uint\d+_t, (\w+)\)', src):
        body = re.search(r'#define ' + macro + r'\(X\)(.*?)\n\n', src, re.S).group(1)
        rows = re.findall(r'X\(\w+, (\d+), "([^"]*)"\)', body)
        out.append('vs.%s = {%s}' % (reg, ', '.join('[%s] = "%s"' % r for r in rows)))
    return out


def check_codepoints(lua, header, errors):
    text = lua.read_text()
    block = text.split('-- BEGIN CODE POINTS', 1)[1].split('-- END CODE POINTS', 1)[0]
    have = [l for l in block.splitlines() if l.startswith('vs.')]
    want = codepoint_lines(header)
    if have != want:
        fail(errors, 'code-point tables differ from codepoints.h; regenerate them:\n' +
             '\n'.join(want))


# ---- 2. the suite's transcript ----

def decoded_messages(results):
    """hex → decoded message, and the count of MIKEY bodies of HTTP exchanges."""
    by_hex = {}

    def walk(o):
        if isinstance(o, dict):
            if isinstance(o.get('hex'), str) and 'parses' in o:
                by_hex.setdefault(o['hex'], o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(results)
    # transcript.pcap holds the exchanges of the cases and of the health checks.
    runs = results['cases'] + [h['result'] for h in results.get('health_checks', [])]
    bodies = 0
    for step in (s for r in runs for s in r.get('transcript', [])):
        if step.get('kind') != 'http':
            continue
        request = bytes.fromhex((step.get('request') or {}).get('hex', ''))
        head, _, body = request.partition(b'\r\n\r\n')
        types = re.findall(rb'(?im)^content-type:[ \t]*(.*?)\r?$', head)
        # A request line Wireshark does not take for HTTP (kms.http.malformed-request-line's
        # "P@ST") leaves the body undissected.
        http = re.match(rb'[A-Z]+ \S+ HTTP/1\.[01]\r\n', request)
        if http and types and is_mikey_type(types[0].decode('latin-1')) and body:
            bodies += 1
        resp = step.get('response') or {}
        types = [v for k, v in header_pairs(resp.get('headers')) if k.lower() == 'content-type']
        if types and is_mikey_type(types[0]) and resp.get('body_hex'):
            bodies += 1
    return by_hex, bodies


def header_pairs(headers):
    if isinstance(headers, dict):
        return list(headers.items())
    return [tuple(h) if isinstance(h, (list, tuple)) else (h.get('name', ''), h.get('value', ''))
            for h in headers or []]


def is_mikey_type(value):
    return value.split(';')[0].strip().lower() == 'application/mikey'


def tshark_pdml(tshark, lua, pcap):
    p = run([tshark, '-r', str(pcap), '-X', f'lua_script:{lua}', '-Y', 'http', '-T', 'pdml',
             '-J', 'http mikeyticket _ws.expert _ws.malformed'])
    if p.returncode != 0:
        sys.exit(f'wireshark_dissector: FAIL: tshark: {p.stderr.strip()}')
    return ET.fromstring(p.stdout)


def message_bytes(http):
    for f in http.iter('field'):
        if f.get('name') == 'http.file_data':
            raw = bytes.fromhex(f.get('value', ''))
            if re.fullmatch(rb'[A-Za-z0-9+/=\s]+', raw):
                return lenient_b64(raw)
            return raw
    return None


def lenient_b64(text):
    """Decodes as GLib's g_base64_decode (the dissector's) does: a trailing partial group and
    anything after padding are dropped."""
    chars = re.sub(rb'[^A-Za-z0-9+/]', b'', text.split(b'=')[0])
    chars = chars[:len(chars) - len(chars) % 4 if len(chars) % 4 == 1 else len(chars)]
    return base64.b64decode(chars + b'=' * (-len(chars) % 4))


def layout_target(path):
    """The dissector field name of a layout path, e.g. payload[3].IDR.id_data → idr.id_data."""
    parts = path.split('.')
    owner = None
    for i, seg in enumerate(parts[:-1]):
        if seg in ('hdr', 'thdr'):
            owner = seg
        elif seg.startswith('key_data['):
            owner = 'keydata'
        elif SEGMENT.match(seg):
            owner = OWNERS.get(parts[i + 1], '?' + parts[i + 1])
    name = parts[-1]
    if name == 'trailing':
        return 'mikeyticket.msg.trailing'
    if owner is None or SEGMENT.match(name):
        return None
    return f'mikeyticket.{owner}.{name}'


def field_hex(lf):
    """A layout field's bytes: `hex` in results.json, `value_hex` in decode --json."""
    return (lf.get('hex') if 'hex' in lf else lf.get('value_hex', '')).lower()


def compare_fields(msg, proto, errors, where):
    base = int(proto.get('pos'))
    at = {}
    for f in proto.iter('field'):
        name = f.get('name', '')
        if name.startswith('mikeyticket.') and f.get('pos') is not None:
            at.setdefault((name, int(f.get('pos')) - base), []).append(f)
    compared = 0
    for lf in msg.get('fields', []):
        if lf['length'] == 0:
            continue
        target = layout_target(lf['path'])
        if target is None or target.startswith('mikeyticket.?'):
            fail(errors, f'{where}: layout field {lf["path"]} has no dissector field')
            continue
        cands = at.get((target, lf['offset']), [])
        if not cands:
            fail(errors, f'{where}: {lf["path"]} @{lf["offset"]}: no {target} there')
            continue
        ok = False
        want = field_hex(lf)
        for f in cands:
            raw = f.get('unmaskedvalue') or f.get('value', '')
            if int(f.get('size')) != lf['length'] or raw.lower() != want:
                continue
            mask = lf.get('mask')
            if mask and mask != 0xff:
                shift = (mask & -mask).bit_length() - 1
                if int(f.get('value'), 16) != (int(want, 16) & mask) >> shift:
                    continue
            ok = True
        if not ok:
            f = cands[0]
            fail(errors, f'{where}: {lf["path"]}: ours {want} ({lf["length"]} B), '
                 f'{target} {f.get("unmaskedvalue") or f.get("value")} ({f.get("size")} B)')
        compared += 1
    return compared


def top_payloads(proto):
    return [NAMES[f.get('name')[len('mikeyticket.'):]] for f in proto.findall('field')
            if f.get('name', '')[len('mikeyticket.'):] in NAMES]


def experts(packet):
    """The dissector's error marks in a packet: its error experts, and Lua errors."""
    return [f.get('name') for f in packet.iter('field')
            if f.get('name') in ERROR_EXPERTS or f.get('name') == '_ws.lua.error']


# The embedded suites run: the KMS role (requests, resolves, errors, mode 3, ticket types 1 and
# 2, malformed messages) and KMS_R (chaining: KMS-to-KMS requests, about 3 s).
SUITES = {'kms': [], 'kms_r': ['--sut', 'cases/profiles/reference-kms-r.yaml']}


def check_suite(args, errors, name):
    out = Path(args.workdir) / name
    p = run([args.mikeyconf, 'run', *SUITES[name], '--embedded', '--no-progress', '--out',
             str(out)], cwd=args.source)
    if not (out / 'results.json').exists() or not (out / 'transcript.pcap').exists():
        sys.exit(f'wireshark_dissector: FAIL: mikeyconf run wrote no reports:\n{p.stderr}')
    by_hex, body_count = decoded_messages(json.loads((out / 'results.json').read_text()))
    root = tshark_pdml(args.tshark, args.lua, out / 'transcript.pcap')
    stats = {'dissected': 0, 'mikey_bodies': 0, 'compared_messages': 0, 'compared_fields': 0,
             'undecodable_flagged': 0, 'not_decoded_by_mikeyconf': 0}
    for packet in root.iter('packet'):
        http = packet.find("proto[@name='http']")
        protos = packet.findall("proto[@name='mikeyticket']")
        num = packet.find("proto[@name='geninfo']/field[@name='num']")
        where = f'{name} frame {num.get("show") if num is not None else "?"}'
        if packet.find(".//*[@name='_ws.lua.error']") is not None:
            fail(errors, f'{where}: _ws.lua.error (the Lua dissector raised an error)')
        malformed = packet.find(".//*[@name='_ws.malformed']") is not None
        ctypes = [f.get('show', '') for f in http.iter('field')
                  if f.get('name') == 'http.content_type'] if http is not None else []
        data = message_bytes(http) if http is not None else None
        if ctypes and is_mikey_type(ctypes[0]) and data:
            stats['mikey_bodies'] += 1
            if not protos:
                fail(errors, f'{where}: application/mikey body not dissected by mikeyticket')
        if not protos:
            continue
        stats['dissected'] += 1
        msg = by_hex.get(data.hex()) if data else None
        if msg is None:  # a raw HTTP request of the suite (bad base64, too short): not decoded
            stats['not_decoded_by_mikeyconf'] += 1
            continue
        errs = experts(packet)
        if msg['parses'] and (errs or malformed):
            fail(errors, f'{where}: mikeyconf decodes it, the dissector marks {errs} '
                 f'(malformed: {malformed})')
        if not msg['parses']:
            if not errs:
                fail(errors, f'{where}: mikeyconf cannot decode it, the dissector marks nothing')
            stats['undecodable_flagged'] += 1
            continue
        proto = protos[0]
        dt = proto.find(".//field[@name='mikeyticket.hdr.data_type']")
        if dt is None or int(dt.get('show')) != msg['data_type']:
            fail(errors, f'{where}: data type {msg["data_type"]} vs '
                 f'{None if dt is None else dt.get("show")}')
        if top_payloads(proto) != msg['payloads']:
            fail(errors, f'{where}: payloads {msg["payloads"]} vs {top_payloads(proto)}')
        stats['compared_fields'] += compare_fields(msg, proto, errors, where)
        stats['compared_messages'] += 1
    if stats['dissected'] != stats['mikey_bodies'] or stats['dissected'] != body_count:
        fail(errors, f'counts differ: {stats["dissected"]} dissected, {stats["mikey_bodies"]} '
             f'application/mikey bodies in the pcap, {body_count} in results.json')
    if stats['compared_messages'] == 0:
        fail(errors, f'{name}: nothing compared: {stats}')
    print(f'wireshark_dissector: {name}: ' + ', '.join(f'{k} {v}' for k, v in stats.items()))
    return by_hex, stats


# ---- 3. base64 bodies and a truncated message ----

def http_pcap(bodies):
    """A pcap of one TCP connection per body: a POST with the body as application/mikey."""
    out = bytearray(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, body in enumerate(bodies):
        http = (b'POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: kms\r\n'
                b'Content-Type: application/mikey\r\nContent-Length: %d\r\n\r\n' % len(body))
        payload = http + body
        tcp = struct.pack('!HHIIBBHHH', 40000 + i, 80, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000,
                         64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2]))
        frame = bytes(12) + b'\x08\x00' + ip + tcp + payload
        out += struct.pack('<IIII', i, 0, len(frame), len(frame)) + frame
    return bytes(out)


def check_base64(args, by_hex, errors):
    # The longest decodable message: a REQUEST_RESP carries a TICKET, so every layer is read.
    good = max((h for h, m in by_hex.items() if m['parses']), key=len)
    msg = bytes.fromhex(good)
    pcap = Path(args.workdir) / 'base64.pcap'
    pcap.write_bytes(http_pcap([base64.b64encode(msg), base64.b64encode(msg[:len(msg) - 7])]))
    root = tshark_pdml(args.tshark, args.lua, pcap)
    packets = root.findall('packet')
    if len(packets) != 2 or any(not p.findall("proto[@name='mikeyticket']") for p in packets):
        return fail(errors, 'base64 pcap: the two bodies were not both dissected')
    whole, cut = packets
    if experts(whole):
        fail(errors, f'base64 body: expert errors {experts(whole)} on a valid message')
    proto = whole.find("proto[@name='mikeyticket']")
    if top_payloads(proto) != by_hex[good]['payloads']:
        fail(errors, f'base64 body: payloads {top_payloads(proto)}')
    n = compare_fields(by_hex[good], proto, errors, 'base64 body')
    if 'mikeyticket.truncated' not in experts(cut):
        fail(errors, 'truncated base64 body: no mikeyticket.truncated mark')
    print(f'wireshark_dissector: base64: {n} fields compared, truncated copy marked')


# ---- 4. hand-assembled shapes and third-party messages ----

def hex_file_bytes(path):
    return bytes.fromhex(re.sub(r'[\s:]', '', re.sub(r'#[^\n]*', '', path.read_text())))


def check_files(args, errors):
    """The shapes of tools/tests/data (PKE, DH, SIGN, CHASH, General Extension with Key ID
    information, SRTP-ID maps: what the suites do not send) and the third-party corpus, each
    against `mikeyconf decode --json`: valid ones field by field, the others marked."""
    root_dir = Path(args.source)
    files = sorted((root_dir / 'tools/tests/data').glob('*.hex')) + \
        sorted((root_dir / 'tests/data/corpus/mikey-thirdparty').glob('*.hex'))
    decoded = []
    for f in files:
        p = run([args.mikeyconf, 'decode', '--json', str(f)])
        decoded.append((f, hex_file_bytes(f), json.loads(p.stdout)))
    pcap = Path(args.workdir) / 'files.pcap'
    pcap.write_bytes(http_pcap([b for _, b, _ in decoded]))
    packets = tshark_pdml(args.tshark, args.lua, pcap).findall('packet')
    if len(packets) != len(decoded):
        return fail(errors, f'files: {len(packets)} packets for {len(decoded)} messages')
    fields = invalid = 0
    for (f, _, j), packet in zip(decoded, packets):
        proto = packet.find("proto[@name='mikeyticket']")
        valid = j.get('valid', j.get('parses'))
        if proto is None:
            fail(errors, f'{f.name}: not dissected')
        elif not valid:
            invalid += 1
            if not experts(packet):
                fail(errors, f'{f.name}: mikeyconf cannot decode it, the dissector marks nothing')
        elif experts(packet):
            fail(errors, f'{f.name}: mikeyconf decodes it, the dissector marks {experts(packet)}')
        else:
            fields += compare_fields(j, proto, errors, f.name)
    print(f'wireshark_dissector: files: {len(decoded)} messages, {fields} fields compared, '
          f'{invalid} undecodable marked')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mikeyconf', required=True)
    ap.add_argument('--lua', required=True)
    ap.add_argument('--source', required=True, help='the source tree (cases/, reference/)')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--tshark', default='tshark')
    args = ap.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    if run(['sh', '-c', f'command -v {args.tshark}']).returncode != 0:
        sys.exit('wireshark_dissector: FAIL: tshark not found (scripts/bootstrap installs it)')
    errors = []
    check_codepoints(Path(args.lua), Path(args.source) / 'reference/codec/codepoints.h', errors)
    by_hex, stats = check_suite(args, errors, 'kms')
    if stats['undecodable_flagged'] == 0:  # the negative half of the agreement is exercised
        fail(errors, 'kms: no message mikeyconf cannot decode was dissected')
    check_suite(args, errors, 'kms_r')
    check_base64(args, by_hex, errors)
    check_files(args, errors)
    if errors:
        print(f'wireshark_dissector: FAIL: {len(errors)} difference(s)', file=sys.stderr)
        return 1
    print('wireshark_dissector: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())

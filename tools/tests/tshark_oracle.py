#!/usr/bin/env python3
"""tshark cross-check of `mikeyconf decode` (project acceptance item).

For every message it runs `mikeyconf decode --json --pcap`, feeds the pcaps (link type 147,
DLT_USER0, mapped to the MIKEY dissector) to tshark once, reads tshark's PDML and checks that

  * tshark flags nothing as malformed (`_ws.malformed`);
  * tshark's payloads (HDR, T, KEMAC, ...) have the offsets and lengths of ours, so tshark
    decoded the message fully (an undecodable payload stops tshark silently);
  * every `mikey.*` field tshark shows has a field in our layout map at the same offset, with
    the same value (integers compared as numbers, everything else as the bytes received).

Messages:
  * shapes (tools/tests/data/*.hex): hand-assembled RFC 3830 / RFC 6043 messages. A header line
    `#! tshark: full` says tshark must decode all of it; `#! tshark: stops-before TYPE` says
    tshark cannot length payload TYPE (CHASH, RANDR, TICKET, ...), so the payloads before the
    first one of that type are compared. Every shape must be valid for `mikeyconf decode`.
  * corpus (tests/data/corpus/mikey-thirdparty/*.hex): third-party messages; those that both
    decoders read fully are compared, the others are listed with the reason.

Exit status 0 when everything agrees, 1 on any difference (path, ours, theirs printed) or
when tshark is missing, 2 on bad arguments. Only the Python standard library is used.
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

USER_DLT = 'uat:user_dlts:"User 0 (DLT=147)","mikey","0","","0",""'
# tshark 4.0 prints this on every run as root and has no switch or variable to silence it.
ROOT_WARNING = 'This could be dangerous.'

# tshark payload subtree → our payload type name (codec/codepoints.h PayloadType names).
CONTAINERS = {
    'mikey.hdr': 'HDR', 'mikey.kemac': 'KEMAC', 'mikey.pke': 'PKE', 'mikey.dh': 'DH',
    'mikey.sign': 'SIGN', 'mikey.t': 'T', 'mikey.id': 'ID', 'mikey.cert': 'CERT',
    'mikey.chash': 'CHASH', 'mikey.v': 'V', 'mikey.sp': 'SP', 'mikey.rand': 'RAND',
    'mikey.err': 'ERR', 'mikey.idr': 'IDR', 'mikey.ext': 'General Ext', 'mikey.sakke': 'SAKKE',
}
# Subtrees inside a payload whose leaves are compared one by one.
GROUPS = {'mikey.srtp_id', 'mikey.key'}

# tshark leaf field → the last path segment(s) of our layout-map field at the same offset.
FIELD_MAP = {
    'mikey.version': ('version',),
    'mikey.type': ('data_type',),
    'mikey.next_payload': ('next_payload',),
    'mikey.v.set': ('v',),
    'mikey.prf_func': ('prf_func',),
    'mikey.csb_id': ('csb_id',),
    'mikey.cs_count': ('cs_count',),
    'mikey.cs_id_map_type': ('map_type',),
    'mikey.srtp_id.policy_no': ('policy_no',),
    'mikey.srtp_id.ssrc': ('ssrc',),
    'mikey.srtp_id.roc': ('roc',),
    'mikey.kemac.encr_alg': ('encr_alg',),
    'mikey.kemac.key_data_len': ('encr_data_len',),
    'mikey.kemac.key_data': ('encr_data',),
    'mikey.kemac.mac_alg': ('mac_alg',),
    'mikey.kemac.mac': ('mac',),
    'mikey.pke.c': ('c',),
    'mikey.pke.len': ('data_len',),
    'mikey.pke.data': ('data',),
    'mikey.dh.group': ('dh_group',),
    'mikey.dh.value': ('dh_value',),
    'mikey.dh.reserv': ('reserved',),
    'mikey.dh.kv': ('kv',),
    'mikey.sign.type': ('s_type',),
    'mikey.sign.len': ('signature_len',),
    'mikey.sign.data': ('signature',),
    'mikey.t.ts_type': ('ts_type',),
    'mikey.t.ntp': ('ts_value',),
    'mikey.id.type': ('id_type',),
    'mikey.id.len': ('id_len',),
    'mikey.id.data': ('id_data',),
    'mikey.id.role': ('id_role',),
    'mikey.cert.type': ('cert_type',),
    'mikey.cert.len': ('cert_len',),
    'mikey.cert.data': ('certificate',),
    'mikey.v.auth_alg': ('auth_alg',),
    'mikey.v.ver_data': ('mac',),
    'mikey.sp.no': ('policy_no',),
    'mikey.sp.proto_type': ('prot_type',),
    'mikey.sp.param_len': ('policy_param_length',),
    'mikey.sp.param': ('value',),  # a parameter tshark has no name for: its Value bytes
    'mikey.sp.patam.value': ('value',),  # sic: tshark's field name
    'mikey.rand.len': ('rand_len',),
    'mikey.rand.data': ('rand',),
    'mikey.err.no': ('error_no',),
    'mikey.err.reserved': ('reserved',),
    'mikey.key.type': ('type',),
    'mikey.key.kv': ('kv',),
    'mikey.key.data.len': ('key_data_len',),
    'mikey.key.data': ('key_data',),
    'mikey.key.salt.len': ('salt_len',),
    'mikey.key.salt': ('salt_data',),
    'mikey.key.kv.from.len': ('vf_length',),
    'mikey.key.kv.from': ('valid_from',),
    'mikey.key.kv.to.len': ('vt_length',),
    'mikey.key.kv.to': ('valid_to',),
    'mikey.key.kv.spi.len': ('spi_length',),
    'mikey.key.kv.spi': ('spi',),
    'mikey.ext.type': ('type',),
    'mikey.ext.len': ('length',),
    'mikey.ext.data': ('data',),
    'mikey.ext.value': ('data',),  # SDP IDs shown as a string
    'mikey.sakke.params': ('sakke_params',),
    'mikey.sakke.idscheme': ('id_scheme',),
    'mikey.sakke.len': ('sakke_data_length',),
    'mikey.sakke.data': ('sakke_data',),
}

# SRTP policy parameters tshark names (RFC 3830 §6.10.1 Type → tshark field). Their PDML node
# sits on the Value bytes and holds the Type / Length / Value sub-fields.
SRTP_PARAMS = {
    'mikey.sp.encr_alg': 0, 'mikey.sp.encr_len': 1, 'mikey.sp.auth_alg': 2,
    'mikey.sp.auth_key_len': 3, 'mikey.sp.salt_len': 4, 'mikey.sp.prf': 5, 'mikey.sp.kd_rate': 6,
    'mikey.sp.srtp_encr': 7, 'mikey.sp.srtcp_encr': 8, 'mikey.sp.fec': 9, 'mikey.sp.srtp_auth': 10,
    'mikey.sp.auth_tag_len': 11, 'mikey.sp.srtp_prefix': 12,
}
# tshark 4.0 places the Type and Length sub-fields of an SP parameter at wrong offsets (the
# parameter offset is added twice), so they are matched through the Value's offset instead.
SP_PARAM_SUBFIELDS = {'mikey.sp.param.type': ('type', 2), 'mikey.sp.param.len': ('length', 1)}

INTEGER_TYPES = ('FT_UINT', 'FT_INT', 'FT_BOOLEAN')


def die(msg, code=1):
    print(f'tshark_oracle: FAIL: {msg}', file=sys.stderr)
    sys.exit(code)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tshark_stderr(stderr):
    return '\n'.join(l for l in stderr.splitlines() if ROOT_WARNING not in l).strip()


def tshark_field_types(tshark):
    """name → (ftype, bitmask) of every mikey.* field (`tshark -G fields`)."""
    p = run([tshark, '-G', 'fields'])
    if p.returncode != 0:
        die(f'tshark -G fields failed: {tshark_stderr(p.stderr)}')
    out = {}
    for line in p.stdout.splitlines():
        cols = line.split('\t')
        if len(cols) >= 7 and cols[0] == 'F' and cols[4] == 'mikey':
            try:
                mask = int(cols[6], 0) if cols[6] else 0
            except ValueError:
                mask = 0
            out[cols[2]] = (cols[3], mask)
    if not out:
        die('tshark knows no mikey.* fields (is the MIKEY dissector built in?)')
    return out


def read_shape_directive(path):
    for line in path.read_text(encoding='utf-8').splitlines():
        if line.startswith('#!'):
            body = line[2:].strip()
            if body.startswith('tshark:'):
                words = body[len('tshark:'):].split(None, 1)
                if words == ['full']:
                    return ('full', None)
                if len(words) == 2 and words[0] == 'stops-before':
                    return ('stops-before', words[1].strip())
    die(f'{path}: no "#! tshark: full" or "#! tshark: stops-before TYPE" line', 2)


class Ours:
    """`mikeyconf decode --json` output, indexed for lookups by offset."""

    def __init__(self, doc):
        self.doc = doc
        self.fields = doc['fields']
        self.by_offset = {}
        for f in self.fields:
            self.by_offset.setdefault(f['offset'], []).append(f)
        hdr = [f for f in self.fields if f['path'].startswith('hdr.')]
        self.payloads = []
        if hdr:
            start = min(f['offset'] for f in hdr)
            end = max(f['offset'] + f['length'] for f in hdr)
            self.payloads.append(('HDR', start, end - start))
        for p in doc['message'].get('payloads', []):
            self.payloads.append((p['type_name'], p['offset'], p['length']))

    def find(self, offset, names, path_contains=None):
        for f in self.by_offset.get(offset, []):
            last = f['path'].rsplit('.', 1)[-1].split('[', 1)[0]
            if last in names and (path_contains is None or path_contains in f['path']):
                return f
        return None

    def by_path(self, path):
        for f in self.fields:
            if f['path'] == path:
                return f
        return None


def fattr(el, name, default=None):
    v = el.get(name)
    return default if v is None else v


class Comparison:
    def __init__(self, label, ours, types, message):
        self.label = label
        self.ours = ours
        self.types = types
        self.message = message  # the message bytes
        self.compared = 0
        self.known_defects = []
        self.problems = []

    def problem(self, text):
        self.problems.append(text)

    def compare_value(self, tname, el, ours_field, theirs_int=None):
        pos, size = int(el.get('pos')), int(el.get('size'))
        ftype, mask = self.types.get(tname, ('FT_BYTES', 0))
        path = ours_field['path']
        if ftype.startswith(INTEGER_TYPES):
            try:
                theirs = theirs_int if theirs_int is not None else int(fattr(el, 'show', ''), 0)
            except ValueError:
                self.problem(f'{tname} @{pos}: tshark shows {fattr(el, "show")!r}, not a number')
                return
            ours = ours_field.get('value')
            if ours is None:
                ours = int(ours_field['value_hex'] or '0', 16)
            if ours != theirs:
                self.problem(f'{path} @{pos} ({tname}): ours={ours} theirs={theirs}')
        else:
            theirs = fattr(el, 'value', '')
            ours = ours_field['value_hex']
            if ours != theirs:
                self.problem(f'{path} @{pos} ({tname}): ours={ours} theirs={theirs}')
        # Bit fields: tshark's item covers the whole integer (2 bytes for PKE C / SIGN S type),
        # ours the byte holding the bits; lengths are compared for whole-byte fields only.
        if mask == 0 and ours_field['mask'] == 255 and ours_field['length'] != size:
            self.problem(f'{path} @{pos} ({tname}): length ours={ours_field["length"]} '
                         f'theirs={size}')
        self.compared += 1

    def leaf(self, el, context=None):
        tname = el.get('name')
        pos = int(el.get('pos'))
        if tname in SRTP_PARAMS:
            f = self.ours.find(pos, ('value',), '.param[')
            if f is None:
                self.problem(f'{tname} @{pos}: no SP parameter Value of ours at this offset')
                return
            self.compare_value(tname, el, f)
            want_type = SRTP_PARAMS[tname]
            t = self.ours.by_path(f['path'].rsplit('.', 1)[0] + '.type')
            if t is None or t.get('value') != want_type:
                self.problem(f'{f["path"]} @{pos} ({tname}): tshark names SRTP parameter Type '
                             f'{want_type}, ours has {None if t is None else t.get("value")}')
            for child in el:
                self.leaf(child, context=f)
            return
        if tname in SP_PARAM_SUBFIELDS:
            name, back = SP_PARAM_SUBFIELDS[tname]
            if context is None:
                self.problem(f'{tname} @{pos}: outside an SP parameter')
                return
            f = self.ours.by_path(context['path'].rsplit('.', 1)[0] + '.' + name)
            if f is None or f['offset'] != context['offset'] - back:
                self.problem(f'{tname}: no {name} field before {context["path"]}')
                return
            self.compare_value(tname, el, f)
            return
        if tname == 'mikey.cert.len' and self.ours.find(pos, ('cert_len',)) is None:
            # tshark 4.0 reads Cert len one byte early, over Cert type and the length's high
            # byte (packet-mikey.c adds the item at offset 1). Check that this is all it is.
            cert_len = self.ours.find(pos + 1, ('cert_len',))
            raw = int.from_bytes(self.message[pos:pos + 2], 'big')
            if cert_len is None or int(fattr(el, 'show', '-1'), 0) != raw:
                self.problem(f'{tname} @{pos}: neither our Cert len nor the known tshark defect')
            else:
                self.known_defects.append(f'{tname} @{pos}: tshark reads Cert len at the Cert '
                                          f'type offset (shows {raw}, Cert len is '
                                          f'{cert_len["value"]})')
            return
        names = FIELD_MAP.get(tname)
        if names is None:
            self.problem(f'{tname} @{pos}: tshark field with no mapping to our layout paths '
                         f'(extend FIELD_MAP in {Path(__file__).name})')
            return
        f = self.ours.find(pos, names)
        if f is None:
            self.problem(f'{tname} @{pos} = {fattr(el, "show")!r}: no field {"/".join(names)} of '
                         f'ours at this offset')
            return
        self.compare_value(tname, el, f)
        for child in el:  # tshark hangs other protocols (X.509) below some fields
            if (child.get('name') or '').startswith('mikey.'):
                self.leaf(child, context=f)

    def walk(self, el):
        for child in el:
            name = child.get('name') or ''
            if name in GROUPS:
                self.walk(child)
            elif name.startswith('mikey.'):
                self.leaf(child)


def malformed(packet):
    return any((e.get('name') or '').startswith('_ws.malformed') for e in packet.iter())


def mikey_proto(packet):
    for p in packet.findall('proto'):
        if p.get('name') == 'mikey':
            return p
    return None


def tshark_payloads(proto):
    out = []
    for child in proto:
        name = child.get('name')
        if name in CONTAINERS:
            out.append((CONTAINERS[name], int(child.get('pos')), int(child.get('size')), child))
        elif (name or '').startswith('mikey.'):
            out.append(('?' + name, int(child.get('pos')), int(child.get('size')), child))
    return out


def compare_message(label, ours, packet, types, message, stop_type=None):
    """Returns (status, Comparison): status 'full', 'partial' (stop_type honoured) or a reason
    why tshark's reading cannot be compared."""
    comp = Comparison(label, ours, types, message)
    proto = mikey_proto(packet)
    if proto is None:
        return 'tshark shows no MIKEY', comp
    theirs = tshark_payloads(proto)
    want = ours.payloads
    status = 'full'
    if stop_type is not None:
        stops = [p for p in want if p[0] == stop_type]
        if not stops:
            comp.problem(f'{label}: no {stop_type} payload of ours to stop at')
            return 'error', comp
        stop_at = stops[0][1]
        want = [p for p in want if p[1] < stop_at]
        theirs = [p for p in theirs if p[1] < stop_at]
        status = 'partial'
    if malformed(packet):
        return 'tshark flags it malformed', comp
    got = [(t, p, s) for (t, p, s, _) in theirs]
    if got != want:
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else None
            w = want[i] if i < len(want) else None
            if g != w:
                return f'payload {i}: tshark {g}, ours {w}', comp
    for (_, _, _, el) in theirs:
        comp.walk(el)
    return status, comp


def load_pcap_record(path):
    data = Path(path).read_bytes()
    if len(data) < 40:
        die(f'{path}: {len(data)} bytes, too short for a pcap with one record')
    magic, vmaj, vmin, _, _, _, linktype = struct.unpack('<IHHiIII', data[:24])
    if magic != 0xa1b2c3d4 or (vmaj, vmin) != (2, 4) or linktype != 147:
        die(f'{path}: not a classic little-endian pcap 2.4 with link type 147 '
            f'(magic {magic:#x}, version {vmaj}.{vmin}, link type {linktype})')
    _, _, incl, orig = struct.unpack('<IIII', data[24:40])
    if incl != orig or len(data) != 40 + incl:
        die(f'{path}: record header says {incl}/{orig} bytes, file holds {len(data) - 40}')
    return data[:24], data[24:], data[40:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mikeyconf', required=True)
    ap.add_argument('--shapes', required=True, type=Path)
    ap.add_argument('--corpus', required=True, type=Path)
    ap.add_argument('--workdir', required=True, type=Path)
    ap.add_argument('--tshark', default=os.environ.get('TSHARK', 'tshark'))
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()

    tshark = shutil.which(args.tshark)
    if tshark is None:
        die(f'{args.tshark} not found: the tshark cross-check needs Wireshark\'s tshark '
            '(Debian package "tshark"; scripts/bootstrap installs it)')
    if not Path(args.mikeyconf).exists():
        die(f'{args.mikeyconf} does not exist (build the mikeyconf target)', 2)
    types = tshark_field_types(tshark)
    args.workdir.mkdir(parents=True, exist_ok=True)

    shapes = sorted(args.shapes.glob('*.hex'))
    corpus = sorted(args.corpus.glob('*.hex'))
    if not shapes:
        die(f'no shapes in {args.shapes}')
    if not corpus:
        die(f'no corpus messages in {args.corpus}')

    # 1. Decode every message with mikeyconf, writing its pcap.
    items = []  # (label, kind, directive, ours, header, record, message)
    failures = []
    for kind, files in (('shape', shapes), ('corpus', corpus)):
        for path in files:
            label = f'{kind} {path.name}'
            pcap = args.workdir / (path.stem + '.pcap')
            p = run([args.mikeyconf, 'decode', '--json', '--pcap', str(pcap), str(path)])
            if p.returncode not in (0, 1):
                failures.append(f'{label}: mikeyconf decode exit {p.returncode}: {p.stderr.strip()}')
                continue
            try:
                doc = json.loads(p.stdout)
            except json.JSONDecodeError as e:
                failures.append(f'{label}: mikeyconf decode --json is not JSON: {e}')
                continue
            if doc['valid'] != (p.returncode == 0):
                failures.append(f'{label}: exit {p.returncode} but "valid": {doc["valid"]}')
            header, record, message = load_pcap_record(pcap)
            if len(message) != doc['length']:
                failures.append(f'{label}: pcap holds {len(message)} bytes, decode says '
                                f'{doc["length"]}')
            directive = read_shape_directive(path) if kind == 'shape' else None
            if kind == 'shape' and not doc['valid']:
                failures.append(f'{label}: mikeyconf decode rejects it: {doc["error"]}')
            items.append((label, kind, directive, Ours(doc), header, record, message))

    # 2. One tshark run over all messages (one pcap, one packet per message).
    merged = args.workdir / 'all.pcap'
    merged.write_bytes(items[0][4] + b''.join(it[5] for it in items))
    p = run([tshark, '-n', '-o', USER_DLT, '-r', str(merged), '-T', 'pdml'])
    if p.returncode != 0:
        die(f'tshark failed ({p.returncode}): {tshark_stderr(p.stderr)}')
    packets = ET.fromstring(p.stdout).findall('packet')
    if len(packets) != len(items):
        die(f'tshark read {len(packets)} packets, expected {len(items)}')

    # 3. Compare.
    compared_corpus = []
    skipped_corpus = []
    total_fields = 0
    for (label, kind, directive, ours, _, _, message), packet in zip(items, packets):
        stop = directive[1] if directive and directive[0] == 'stops-before' else None
        if kind == 'corpus' and not ours.doc['valid']:
            verdict = 'malformed' if malformed(packet) else 'not flagged malformed'
            skipped_corpus.append((label, f'invalid for mikeyconf '
                                          f'({ours.doc["error"]["code"]} at '
                                          f'{ours.doc["error"]["offset"]}); tshark: {verdict}'))
            continue
        status, comp = compare_message(label, ours, packet, types, message, stop)
        if status not in ('full', 'partial'):
            if kind == 'shape':
                failures.append(f'{label}: tshark does not decode it as declared: {status}')
            else:
                skipped_corpus.append((label, f'tshark does not decode it fully: {status}'))
            continue
        if comp.compared == 0:
            failures.append(f'{label}: no field compared')
        failures.extend(f'{label}: {x}' for x in comp.problems)
        total_fields += comp.compared
        mark = 'ok' if not comp.problems else 'MISMATCH'
        print(f'{mark:8} {label}: {status}, {comp.compared} tshark fields compared'
              + (f', {len(comp.known_defects)} known tshark defect(s)' if comp.known_defects
                 else ''))
        if args.verbose:
            for d in comp.known_defects:
                print(f'         known tshark defect: {d}')
        if kind == 'corpus':
            compared_corpus.append(label)

    # 4. The checker itself must notice a difference: alter one value of ours and re-compare.
    (label, _, directive, ours, _, _, message), packet = items[0], packets[0]
    doc = json.loads(json.dumps(ours.doc))
    for f in doc['fields']:
        if f['path'] == 'hdr.csb_id':
            f['value'] = (f['value'] + 1) & 0xffffffff
    stop = directive[1] if directive[0] == 'stops-before' else None
    _, comp = compare_message(label, Ours(doc), packet, types, message, stop)
    if not any('hdr.csb_id' in x for x in comp.problems):
        failures.append('self-test: an altered hdr.csb_id went unnoticed')

    print(f'\nshapes: {len(shapes)}; corpus: {len(compared_corpus)} of {len(corpus)} compared '
          f'with tshark, {len(skipped_corpus)} not comparable; {total_fields} fields compared')
    for label, why in skipped_corpus:
        print(f'  skipped {label}: {why}')
    if failures:
        print(f'\n{len(failures)} difference(s) between mikeyconf decode and tshark:',
              file=sys.stderr)
        for f in failures:
            print(f'  {f}', file=sys.stderr)
        return 1
    print('tshark and mikeyconf decode agree')
    return 0


if __name__ == '__main__':
    sys.exit(main())

-- Wireshark dissector for MIKEY-TICKET (RFC 6043 on RFC 3830, as profiled by 3GPP TS 33.328)
-- carried as the TS 33.328 Annex A KMS interface does: base64 bodies of HTTP messages with
-- media type application/mikey. Wireshark 4.0's own MIKEY dissector reads the body as raw
-- bytes and knows neither data types 11-21 nor the TR, IDR, RANDR, TP and TICKET payloads
-- (RFC 6043 §6), so this one replaces it for that media type and decodes the whole message,
-- including the Ticket Data of the MIKEY Base Ticket (RFC 6043 App. A) and of Ticket Type 2
-- read with the same layout.
--
-- Use:  tshark -X lua_script:mikey_ticket.lua -r transcript.pcap -V
-- or copy this file into Wireshark's personal Lua plugins folder (Help > About > Folders).
--
-- Field names are mikeyticket.<payload>.<field>, the field names of the mikeyconf codec's
-- layout map (e.g. mikeyticket.hdr.csb_id, mikeyticket.idr.id_data). A field that runs past
-- its message or container is marked with the expert error mikeyticket.truncated and
-- dissection stops there, as the RFC 3830 §6 layouts give no way to resynchronise.

local p = Proto("mikeyticket", "MIKEY-TICKET (RFC 6043 / TS 33.328)")

-- Code points: generated from the mikeyconf codec's registries (codepoints.h, the X-macro
-- tables citing RFC 3830 §6, RFC 6043 §6 and later registrations); a test checks they agree.
-- BEGIN CODE POINTS
local vs = {}
vs.DataType = {[0] = "Pre-shared", [1] = "PSK ver msg", [2] = "Public key", [3] = "PK ver msg", [4] = "D-H init", [5] = "D-H resp", [6] = "Error", [7] = "DHHMAC init", [8] = "DHHMAC resp", [9] = "RSA-R I_MSG", [10] = "RSA-R R_MSG", [11] = "REQUEST_INIT_PSK", [12] = "REQUEST_INIT_PK", [13] = "REQUEST_RESP", [14] = "TRANSFER_INIT", [15] = "TRANSFER_RESP", [16] = "RESOLVE_INIT_PSK", [17] = "RESOLVE_INIT_PK", [18] = "RESOLVE_RESP", [19] = "REQUEST_KEY_PSK", [20] = "REQUEST_KEY_PKE", [21] = "REQUEST_KEY_RESP", [22] = "I_MESSAGE_1", [23] = "R_MESSAGE_1", [24] = "I_MESSAGE_2", [25] = "R_MESSAGE_2", [26] = "SAKKE msg"}
vs.PayloadType = {[0] = "Last payload", [1] = "KEMAC", [2] = "PKE", [3] = "DH", [4] = "SIGN", [5] = "T", [6] = "ID", [7] = "CERT", [8] = "CHASH", [9] = "V", [10] = "SP", [11] = "RAND", [12] = "ERR", [13] = "TR", [14] = "IDR", [15] = "RANDR", [16] = "TP", [17] = "TICKET", [20] = "Key data", [21] = "General Ext", [22] = "IBAKE", [23] = "ESK", [24] = "SK", [25] = "ECCPT", [26] = "SAKKE"}
vs.PrfFunc = {[0] = "MIKEY-1", [1] = "PRF-HMAC-SHA-256"}
vs.MapType = {[0] = "SRTP-ID", [1] = "Empty map", [2] = "GENERIC-ID"}
vs.EncrAlg = {[0] = "NULL", [1] = "AES-CM-128", [2] = "AES-KW-128", [3] = "AES-CM-256"}
vs.MacAlg = {[0] = "NULL", [1] = "HMAC-SHA-1-160", [2] = "HMAC-SHA-256-256"}
vs.KeyDataType = {[0] = "TGK", [1] = "TGK+SALT", [2] = "TEK", [3] = "TEK+SALT", [4] = "GTGK", [5] = "GTGK+SALT", [6] = "MPK", [7] = "K_PR"}
vs.KvType = {[0] = "Null", [1] = "SPI/MKI", [2] = "Interval"}
vs.TsType = {[0] = "NTP-UTC", [1] = "NTP", [2] = "COUNTER", [3] = "NTP-UTC-32"}
vs.IdType = {[0] = "NAI", [1] = "URI", [2] = "Byte string"}
vs.CertType = {[0] = "X.509v3", [1] = "X.509v3 URL", [2] = "X.509v3 Sign", [3] = "X.509v3 Encr"}
vs.HashFunc = {[0] = "SHA-1", [1] = "MD5", [2] = "SHA-256"}
vs.DhGroup = {[0] = "OAKLEY 5", [1] = "OAKLEY 1", [2] = "OAKLEY 2"}
vs.SignType = {[0] = "RSA/PKCS#1/1.5", [1] = "RSA/PSS", [2] = "ECCSI"}
vs.ProtType = {[0] = "SRTP", [1] = "TESLA"}
vs.SrtpParam = {[0] = "Encryption algorithm", [1] = "Session Encr. key length", [2] = "Authentication algorithm", [3] = "Session Auth. key length", [4] = "Session Salt key length", [5] = "SRTP Pseudo Random Function", [6] = "Key derivation rate", [7] = "SRTP encryption off/on", [8] = "SRTCP encryption off/on", [9] = "sender's FEC order", [10] = "SRTP authentication off/on", [11] = "Authentication tag length", [12] = "SRTP prefix length"}
vs.ErrorNo = {[0] = "Auth failure", [1] = "Invalid TS", [2] = "Invalid PRF", [3] = "Invalid MAC", [4] = "Invalid EA", [5] = "Invalid HA", [6] = "Invalid DH", [7] = "Invalid ID", [8] = "Invalid Cert", [9] = "Invalid SP", [10] = "Invalid SPpar", [11] = "Invalid DT", [12] = "Unspecified error", [13] = "Unsupported message type", [14] = "Invalid TICKET", [15] = "Invalid TPpar"}
vs.GenExtType = {[0] = "Vendor ID", [1] = "SDP IDs", [2] = "TESLA I-Key", [3] = "Key ID", [4] = "CSB_ID", [5] = "OMA BCAST"}
vs.KeyIdType = {[0] = "MBMS Key Domain ID", [1] = "MBMS Service Key ID", [2] = "MBMS Traffic Key ID"}
vs.PkeCache = {[0] = "No cache", [1] = "Cache", [2] = "Cache for CSB"}
vs.TsRole = {[1] = "TRi (time of issue)", [2] = "TRs (start of validity)", [3] = "TRe (end of validity)", [4] = "TRr (rekeying interval)"}
vs.IdRole = {[1] = "IDRi", [2] = "IDRr", [3] = "IDRkms", [4] = "IDRpsk", [5] = "IDRapp", [6] = "IDRkmsi", [7] = "IDRkmsr"}
vs.RandRole = {[1] = "RANDRi", [2] = "RANDRr", [3] = "RANDRkms"}
vs.TicketType = {[1] = "MIKEY base ticket", [2] = "3GPP base ticket"}
-- END CODE POINTS

-- Lengths that a code point implies (RFC 3830 §6.2, §6.4, §6.6, §6.8; RFC 6043 §6.2, §6.3,
-- §6.7); a code point missing here leaves the payload's length unknown.
local MAC_LEN = {[0] = 0, [1] = 20, [2] = 32}
local TS_LEN = {[0] = 8, [1] = 8, [2] = 4, [3] = 4}
local HASH_LEN = {[0] = 20, [1] = 16, [2] = 32}
local DH_LEN = {[0] = 192, [1] = 96, [2] = 128}
local SALTED = {[1] = true, [3] = true, [5] = true} -- the +SALT Key data types (RFC 3830 §6.13)
-- Ticket Data formats read with the MIKEY Base Ticket layout (RFC 6043 App. A): Type 1
-- Subtype 1 Version 1, and Type 2 Subtype 0 Version 0 (TS 33.328 §6.2.3.4.2 allocates it; its
-- Annex D layout is not public, so the base layout is assumed, as the mikeyconf codec does).
local BASE_LAYOUT = {["1/1/1"] = true, ["2/0/0"] = true}
local MAX_DEPTH = 4 -- TP Data, Ticket Data and Initiator Data nest payload chains

-- RFC 6043 §6.10 Ticket Policy flags: {bit name, byte (5-7), mask, meaning when 1, when 0}.
local FLAGS = {
  {"d", 5, 0x01, "ticket generated by the KMS", "ticket generated by the Initiator"},
  {"e", 6, 0x80, "Ticket Resolve exchange mandatory", "Responder may resolve the ticket itself"},
  {"f", 6, 0x40, "TRANSFER_RESP shall be sent", "TRANSFER_RESP shall not be sent"},
  {"g", 6, 0x20, "Responder shall generate RANDRr", "Responder shall not generate RANDRr"},
  {"h", 6, 0x10, "RANDRi used in key derivation", "RANDRi not used in key derivation"},
  {"i", 6, 0x08, "key forking", "no key forking"},
  {"j", 6, 0x04, "ticket may be reused", "ticket shall not be reused"},
  {"k", 6, 0x02, "KMS changed the Ticket Policy or KEMAC", "KMS did not change them"},
  {"l", 6, 0x01, "Initiator may supply session keys", "Initiator shall not supply session keys"},
  {"m", 7, 0x80, "Responder may supply session keys", "Responder shall not supply session keys"},
  {"n", 7, 0x40, "RFC 6043 Initiator can use the ticket", "ticket-type processing needed (I)"},
  {"o", 7, 0x20, "RFC 6043 Responder can use the ticket", "ticket-type processing needed (R)"},
}

-- ---- Fields ----
local F = {}
local all_fields = {}
local function field(owner, name, kind, label, vals, mask, tfs)
  local abbr = "mikeyticket." .. owner .. (name == "" and "" or "." .. name)
  local f
  if kind == "u8" then
    f = ProtoField.uint8(abbr, label, base.DEC, vals, mask)
  elseif kind == "u16" then
    f = ProtoField.uint16(abbr, label, base.DEC, vals, mask)
  elseif kind == "u32" then
    f = ProtoField.uint32(abbr, label, base.DEC)
  elseif kind == "x32" then
    f = ProtoField.uint32(abbr, label, base.HEX_DEC)
  elseif kind == "u64" then
    f = ProtoField.uint64(abbr, label, base.DEC)
  elseif kind == "bool" then
    f = ProtoField.bool(abbr, label, 8, tfs, mask)
  elseif kind == "string" then
    f = ProtoField.string(abbr, label)
  elseif kind == "none" then
    f = ProtoField.none(abbr, label)
  else
    f = ProtoField.bytes(abbr, label)
  end
  F[owner .. "." .. name] = f
  all_fields[#all_fields + 1] = f
end

-- The payload types this dissector reads, their field-name owner and label (RFC 3830 §6.1
-- Table 6.1.b; RFC 6043 §6.1; RFC 6267 §6.1; RFC 6509 §4.2).
local OWNER = {
  [1] = "kemac", [2] = "pke", [3] = "dh", [4] = "sign", [5] = "t", [6] = "id", [7] = "cert",
  [8] = "chash", [9] = "v", [10] = "sp", [11] = "rand", [12] = "err", [13] = "tr", [14] = "idr",
  [15] = "randr", [16] = "tp", [17] = "ticket", [21] = "ext", [22] = "ibake", [23] = "esk",
  [26] = "sakke",
}
for t, owner in pairs(OWNER) do
  field(owner, "", "none", vs.PayloadType[t] .. " payload")
  if t ~= 4 then field(owner, "next_payload", "u8", "Next payload", vs.PayloadType) end
end

-- HDR (RFC 3830 §6.1, §6.1.1; RFC 6043 §6.1, §6.1.1).
field("hdr", "", "none", "HDR")
field("hdr", "version", "u8", "Version")
field("hdr", "data_type", "u8", "Data type", vs.DataType)
field("hdr", "next_payload", "u8", "Next payload", vs.PayloadType)
field("hdr", "v", "bool", "V", nil, 0x80, {"response expected", "no response expected"})
field("hdr", "prf_func", "u8", "PRF func", vs.PrfFunc, 0x7f)
field("hdr", "csb_id", "x32", "CSB ID")
field("hdr", "cs_count", "u8", "#CS")
field("hdr", "map_type", "u8", "CS ID map type", vs.MapType)
field("hdr", "policy_no", "u8", "Policy no")
field("hdr", "ssrc", "x32", "SSRC")
field("hdr", "roc", "u32", "ROC")
field("hdr", "cs_id", "u8", "CS ID")
field("hdr", "prot_type", "u8", "Prot type", vs.ProtType)
field("hdr", "s_flag", "bool", "S", nil, 0x80)
field("hdr", "policy_count", "u8", "#P", nil, 0x7f)
field("hdr", "policies", "bytes", "Ps")
field("hdr", "session_data_length", "u16", "Session Data Length")
field("hdr", "session_data", "bytes", "Session Data")
field("hdr", "spi_length", "u8", "SPI Length")
field("hdr", "spi", "bytes", "SPI")

field("kemac", "encr_alg", "u8", "Encr alg", vs.EncrAlg)
field("kemac", "encr_data_len", "u16", "Encr data len")
field("kemac", "encr_data", "bytes", "Encr data")
field("kemac", "mac_alg", "u8", "Mac alg", vs.MacAlg)
field("kemac", "mac", "bytes", "MAC")
-- Key data sub-payloads (RFC 3830 §6.13), readable when the KEMAC's Encr alg is NULL.
field("keydata", "", "none", "Key data")
field("keydata", "next_payload", "u8", "Next payload", vs.PayloadType)
field("keydata", "type", "u8", "Type", vs.KeyDataType, 0xf0)
field("keydata", "kv", "u8", "KV", vs.KvType, 0x0f)
field("keydata", "key_data_len", "u16", "Key data len")
field("keydata", "key_data", "bytes", "Key data")
field("keydata", "salt_len", "u16", "Salt len")
field("keydata", "salt_data", "bytes", "Salt data")
for _, owner in ipairs({"keydata", "dh"}) do -- KV data (RFC 3830 §6.14)
  field(owner, "spi_length", "u8", "SPI Length")
  field(owner, "spi", "bytes", "SPI/MKI")
  field(owner, "vf_length", "u8", "VF Length")
  field(owner, "valid_from", "bytes", "Valid From")
  field(owner, "vt_length", "u8", "VT Length")
  field(owner, "valid_to", "bytes", "Valid To")
end
field("pke", "c", "u8", "C", vs.PkeCache, 0xc0)
field("pke", "data_len", "u16", "Data len", nil, 0x3fff)
field("pke", "data", "bytes", "Data")
field("dh", "dh_group", "u8", "DH-Group", vs.DhGroup)
field("dh", "dh_value", "bytes", "DH-value")
field("dh", "reserved", "u8", "Reserv", nil, 0xf0)
field("dh", "kv", "u8", "KV", vs.KvType, 0x0f)
field("sign", "s_type", "u8", "S type", vs.SignType, 0xf0)
field("sign", "signature_len", "u16", "Signature len", nil, 0x0fff)
field("sign", "signature", "bytes", "Signature")
for _, owner in ipairs({"t", "tr"}) do
  field(owner, "ts_type", "u8", "TS type", vs.TsType)
  field(owner, "ts_value", "u64", "TS value")
end
field("tr", "ts_role", "u8", "TS role", vs.TsRole)
for _, owner in ipairs({"id", "idr"}) do
  field(owner, "id_type", "u8", "ID Type", vs.IdType)
  field(owner, "id_len", "u16", "ID len")
  field(owner, "id_data", "string", "ID data")
end
field("idr", "id_role", "u8", "ID Role", vs.IdRole)
field("cert", "cert_type", "u8", "Cert type", vs.CertType)
field("cert", "cert_len", "u16", "Cert len")
field("cert", "certificate", "bytes", "Certificate")
field("chash", "hash_func", "u8", "Hash func", vs.HashFunc)
field("chash", "hash", "bytes", "Hash")
field("v", "auth_alg", "u8", "Auth alg", vs.MacAlg)
field("v", "mac", "bytes", "Verification data")
field("sp", "policy_no", "u8", "Policy no")
field("sp", "prot_type", "u8", "Prot type", vs.ProtType)
field("sp", "policy_param_length", "u16", "Policy param length")
field("sp", "policy_param", "bytes", "Policy param")
field("sp", "type", "u8", "Type", vs.SrtpParam)
field("sp", "length", "u8", "Length")
field("sp", "value", "bytes", "Value")
field("rand", "rand_len", "u8", "RAND len")
field("rand", "rand", "bytes", "RAND")
field("randr", "rand_role", "u8", "RAND Role", vs.RandRole)
field("randr", "rand_length", "u8", "RAND length")
field("randr", "rand", "bytes", "RAND")
field("err", "error_no", "u8", "Error no", vs.ErrorNo)
field("err", "reserved", "u16", "Reserved")
for _, owner in ipairs({"tp", "ticket"}) do -- RFC 6043 §6.10, shared by TP and TICKET
  field(owner, "ticket_type", "u16", "Ticket Type", vs.TicketType)
  field(owner, "subtype", "u8", "Subtype")
  field(owner, "version", "u8", "Version")
  field(owner, "prf_func", "u8", "PRF Func", vs.PrfFunc, 0xfe)
  for _, fl in ipairs(FLAGS) do
    field(owner, fl[1], "bool", string.upper(fl[1]), nil, fl[3], {fl[4], fl[5]})
  end
  field(owner, "res", "u8", "Res", nil, 0x1f)
  field(owner, "tp_data_length", "u16", "TP Data length")
  field(owner, "tp_data", "bytes", "TP Data")
  field(owner, "first_payload", "u8", "First Payload", vs.PayloadType)
end
field("ticket", "ticket_data_length", "u16", "Ticket Data length")
field("ticket", "ticket_data", "bytes", "Ticket Data")
field("ticket", "initiator_data_length", "u16", "Initiator Data length")
field("ticket", "initiator_data", "bytes", "Initiator Data")
field("thdr", "", "none", "THDR") -- RFC 6043 App. A.3
field("thdr", "next_payload", "u8", "Next Payload", vs.PayloadType)
field("thdr", "thdr_data_length", "u16", "THDR Data length")
field("thdr", "thdr_data", "bytes", "THDR Data")
field("ext", "type", "u8", "Type", vs.GenExtType)
field("ext", "length", "u16", "Length")
field("ext", "data", "bytes", "Data")
field("ext", "key_id_type", "u8", "Key ID Type", vs.KeyIdType) -- RFC 4563 §4
field("ext", "key_id_length", "u8", "Key ID Length")
field("ext", "key_id", "bytes", "Key ID")
for _, owner in ipairs({"ibake", "esk"}) do
  field(owner, "encr_data_len", "u16", "Encr data len")
  field(owner, "encr_data", "bytes", "Encr data")
end
field("sakke", "sakke_params", "u8", "SAKKE params")
field("sakke", "id_scheme", "u8", "ID scheme")
field("sakke", "sakke_data_length", "u16", "SAKKE data length")
field("sakke", "sakke_data", "bytes", "SAKKE data")
field("msg", "trailing", "bytes", "Bytes after the payload chain")
p.fields = all_fields

local ef_truncated = ProtoExpert.new("mikeyticket.truncated",
  "Field runs past the end of its message or container", expert.group.MALFORMED,
  expert.severity.ERROR)
local ef_undecodable = ProtoExpert.new("mikeyticket.undecodable",
  "Payload cannot be read (length unknown)", expert.group.MALFORMED, expert.severity.ERROR)
local ef_trailing = ProtoExpert.new("mikeyticket.trailing",
  "Bytes after the payload chain", expert.group.PROTOCOL, expert.severity.WARN)
local ef_reserved = ProtoExpert.new("mikeyticket.reserved",
  "Reserved bits not zero", expert.group.PROTOCOL, expert.severity.WARN)
local ef_opaque = ProtoExpert.new("mikeyticket.opaque",
  "Field not decoded (format unknown)", expert.group.UNDECODED, expert.severity.NOTE)
p.experts = {ef_truncated, ef_undecodable, ef_trailing, ef_reserved, ef_opaque}

-- ---- Reading ----
-- A cursor walks one tvb between off and limit (the end of the message or of the container
-- being read). A read past limit marks the tree and raises STOP, which ends the dissection.
local STOP = {}
local band, rshift = bit32.band, bit32.rshift

local function need(c, tree, len, what)
  if c.off + len > c.limit then
    tree:add_proto_expert_info(ef_truncated, string.format(
      "%s: %d byte(s) needed at offset %d, %d left", what, len, c.off, c.limit - c.off))
    error(STOP)
  end
end

local function undecodable(tree, text)
  tree:add_proto_expert_info(ef_undecodable, text)
  error(STOP)
end

-- Adds field `key` over the next `len` (> 0) bytes; advances unless `stay`. Returns the item
-- and the field's value (a number for 1-4 bytes).
local function add(c, tree, key, len, stay)
  need(c, tree, len, key)
  local item = tree:add(F[key], c.tvb(c.off, len))
  local value = (len >= 1 and len <= 4) and c.tvb(c.off, len):uint() or nil
  if not stay then c.off = c.off + len end
  return item, value
end

-- A length field of `width` bytes, then that many bytes.
local function counted(c, tree, len_key, data_key, width)
  local _, len = add(c, tree, len_key, width)
  if len > 0 then return add(c, tree, data_key, len) end
  return nil, nil
end

local function sub_cursor(c, len)
  return {tvb = c.tvb, off = c.off, limit = c.off + len, depth = c.depth + 1, dt = c.dt}
end

local function ntp_text(item, r, ts_type)
  -- NTP-UTC / NTP (RFC 3830 §6.6) and NTP-UTC-32 (RFC 6043 §6.3): seconds since 1900.
  if ts_type ~= 0 and ts_type ~= 1 and ts_type ~= 3 then return end
  local unix = r(0, 4):uint() - 2208988800
  if unix >= 0 then item:append_text(os.date(" (%Y-%m-%d %H:%M:%S UTC)", unix)) end
end

local function timestamp(c, tree, owner)
  local _, ts_type = add(c, tree, owner .. ".ts_type", 1)
  local len = TS_LEN[ts_type]
  if not len then undecodable(tree, "TS type " .. ts_type .. " has no known length") end
  need(c, tree, len, owner .. ".ts_value")
  local r = c.tvb(c.off, len)
  local item = add(c, tree, owner .. ".ts_value", len)
  ntp_text(item, r, ts_type)
end

local function kv_data(c, tree, owner, kv)
  if kv == 1 then -- SPI/MKI
    counted(c, tree, owner .. ".spi_length", owner .. ".spi", 1)
  elseif kv == 2 then -- Interval
    counted(c, tree, owner .. ".vf_length", owner .. ".valid_from", 1)
    counted(c, tree, owner .. ".vt_length", owner .. ".valid_to", 1)
  elseif kv ~= 0 then
    undecodable(tree, "KV " .. kv .. " has no known KV data layout")
  end
end

local function implied(c, tree, owner, code_name, data_name, lengths, what)
  local _, code = add(c, tree, owner .. "." .. code_name, 1)
  local len = lengths[code]
  if not len then undecodable(tree, what .. " " .. code .. " has no known length") end
  if len > 0 then add(c, tree, owner .. "." .. data_name, len) end
end

local function trailing(c, tree)
  if c.off < c.limit then
    local item = add(c, tree, "msg.trailing", c.limit - c.off)
    item:add_proto_expert_info(ef_trailing)
  end
end

local chain -- forward: a Next payload chain

-- Key data sub-payload chain in plaintext Encr data (RFC 3830 §6.2, §6.13).
local function key_data_chain(c, tree)
  local next = 20
  while next == 20 do
    local start = c.off
    local kt = tree:add(F["keydata."], c.tvb(start, 1))
    local _, np = add(c, kt, "keydata.next_payload", 1)
    local _, tkv = add(c, kt, "keydata.type", 1, true)
    add(c, kt, "keydata.kv", 1)
    counted(c, kt, "keydata.key_data_len", "keydata.key_data", 2)
    if SALTED[rshift(tkv, 4)] then counted(c, kt, "keydata.salt_len", "keydata.salt_data", 2) end
    kv_data(c, kt, "keydata", band(tkv, 0x0f))
    kt:set_len(c.off - start)
    if np ~= 0 and np ~= 20 then undecodable(kt, "Next payload " .. np .. " inside Encr data") end
    next = np
  end
  trailing(c, tree)
end

local P = {}
P[1] = function(c, tree) -- KEMAC, RFC 3830 §6.2; RFC 6043 §6.2
  local _, alg = add(c, tree, "kemac.encr_alg", 1)
  local _, len = add(c, tree, "kemac.encr_data_len", 2)
  if len > 0 then
    local sub = sub_cursor(c, len)
    local item = add(c, tree, "kemac.encr_data", len)
    if alg == 0 then -- NULL: the Key data is in the clear
      -- RFC 3830 §3.2, §6.2: in a PK message's KEMAC the Initiator's ID payload comes first.
      if c.depth == 0 and c.dt == 2 then
        local start = sub.off
        local it = item:add(F["id."], c.tvb(start, 1))
        add(sub, it, "id.next_payload", 1)
        P[6](sub, it)
        it:set_len(sub.off - start)
      end
      key_data_chain(sub, item)
    end
  end
  implied(c, tree, "kemac", "mac_alg", "mac", MAC_LEN, "Mac alg")
end
P[2] = function(c, tree) -- PKE, RFC 3830 §6.3
  add(c, tree, "pke.c", 1, true)
  local _, w = add(c, tree, "pke.data_len", 2)
  if band(w, 0x3fff) > 0 then add(c, tree, "pke.data", band(w, 0x3fff)) end
end
P[3] = function(c, tree) -- DH, RFC 3830 §6.4
  implied(c, tree, "dh", "dh_group", "dh_value", DH_LEN, "DH-Group")
  local item, rkv = add(c, tree, "dh.reserved", 1, true)
  if band(rkv, 0xf0) ~= 0 then item:add_proto_expert_info(ef_reserved) end
  add(c, tree, "dh.kv", 1)
  kv_data(c, tree, "dh", band(rkv, 0x0f))
end
P[4] = function(c, tree) -- SIGN, RFC 3830 §6.5 (no Next payload field)
  add(c, tree, "sign.s_type", 1, true)
  local _, w = add(c, tree, "sign.signature_len", 2)
  if band(w, 0x0fff) > 0 then add(c, tree, "sign.signature", band(w, 0x0fff)) end
end
P[5] = function(c, tree) timestamp(c, tree, "t") end -- T, RFC 3830 §6.6; RFC 6043 §6.3
P[6] = function(c, tree) -- ID, RFC 3830 §6.7; RFC 6043 §6.5
  add(c, tree, "id.id_type", 1)
  counted(c, tree, "id.id_len", "id.id_data", 2)
end
P[7] = function(c, tree) -- CERT, RFC 3830 §6.7
  add(c, tree, "cert.cert_type", 1)
  counted(c, tree, "cert.cert_len", "cert.certificate", 2)
end
P[8] = function(c, tree) -- CHASH, RFC 3830 §6.8; RFC 6043 §6.7
  implied(c, tree, "chash", "hash_func", "hash", HASH_LEN, "Hash func")
end
P[9] = function(c, tree) -- V, RFC 3830 §6.9
  implied(c, tree, "v", "auth_alg", "mac", MAC_LEN, "Auth alg")
end
P[10] = function(c, tree) -- SP, RFC 3830 §6.10: Type/Length/Value parameters
  add(c, tree, "sp.policy_no", 1)
  add(c, tree, "sp.prot_type", 1)
  local _, len = add(c, tree, "sp.policy_param_length", 2)
  if len == 0 then return end
  local sub = sub_cursor(c, len)
  local item = add(c, tree, "sp.policy_param", len)
  while sub.off < sub.limit do
    add(sub, item, "sp.type", 1)
    counted(sub, item, "sp.length", "sp.value", 1)
  end
end
P[11] = function(c, tree) counted(c, tree, "rand.rand_len", "rand.rand", 1) end
P[12] = function(c, tree) -- ERR, RFC 3830 §6.12; RFC 6043 §6.9
  add(c, tree, "err.error_no", 1)
  local item, res = add(c, tree, "err.reserved", 2)
  if res ~= 0 then item:add_proto_expert_info(ef_reserved) end
end
P[13] = function(c, tree) -- TR, RFC 6043 §6.4
  add(c, tree, "tr.ts_role", 1)
  timestamp(c, tree, "tr")
end
P[14] = function(c, tree) -- IDR, RFC 6043 §6.6
  add(c, tree, "idr.id_role", 1)
  add(c, tree, "idr.id_type", 1)
  counted(c, tree, "idr.id_len", "idr.id_data", 2)
end
P[15] = function(c, tree) -- RANDR, RFC 6043 §6.8
  add(c, tree, "randr.rand_role", 1)
  counted(c, tree, "randr.rand_length", "randr.rand", 1)
end

-- A 16-bit length, then a "First Payload" byte and a payload chain filling it (TP Data and
-- Initiator Data, RFC 6043 §6.10). Length 0: no First Payload byte.
local function container(c, tree, owner, len_name, data_name)
  local _, len = add(c, tree, owner .. "." .. len_name, 2)
  if len == 0 then return end
  local sub = sub_cursor(c, len)
  local item = add(c, tree, owner .. "." .. data_name, len)
  if sub.depth > MAX_DEPTH then undecodable(item, "payload chains nested too deep") end
  local _, first = add(sub, item, owner .. ".first_payload", 1)
  chain(sub, item, first)
  trailing(sub, item)
end

local function policy(c, tree, owner) -- RFC 6043 §6.10, bytes 0-7 and TP Data
  local _, tt = add(c, tree, owner .. ".ticket_type", 2)
  local _, st = add(c, tree, owner .. ".subtype", 1)
  local _, ver = add(c, tree, owner .. ".version", 1)
  need(c, tree, 3, owner .. " flags")
  add(c, tree, owner .. ".prf_func", 1, true)
  local byte = 5
  for _, fl in ipairs(FLAGS) do
    if fl[2] ~= byte then c.off, byte = c.off + 1, fl[2] end
    add(c, tree, owner .. "." .. fl[1], 1, true)
  end
  local item, b7 = add(c, tree, owner .. ".res", 1)
  if band(b7, 0x1f) ~= 0 then item:add_proto_expert_info(ef_reserved) end
  container(c, tree, owner, "tp_data_length", "tp_data")
  return tt .. "/" .. st .. "/" .. ver
end

local function ticket_data(c, tree, format) -- RFC 6043 App. A.1, A.3
  if not BASE_LAYOUT[format] then
    tree:add_proto_expert_info(ef_opaque, "no known Ticket Data layout for " .. format)
    return
  end
  if c.depth > MAX_DEPTH then undecodable(tree, "payload chains nested too deep") end
  local ht = tree:add(F["thdr."], c.tvb(c.off, math.min(3, math.max(c.limit - c.off, 0))))
  local _, first = add(c, ht, "thdr.next_payload", 1)
  counted(c, ht, "thdr.thdr_data_length", "thdr.thdr_data", 2)
  chain(c, tree, first)
  trailing(c, tree)
end

P[16] = function(c, tree) policy(c, tree, "tp") end
P[17] = function(c, tree) -- TICKET, RFC 6043 §6.10
  local format = policy(c, tree, "ticket")
  local _, len = add(c, tree, "ticket.ticket_data_length", 2)
  need(c, tree, len, "ticket.ticket_data")
  local sub = sub_cursor(c, len)
  local item = add(c, tree, "ticket.ticket_data", len)
  ticket_data(sub, item, format)
  container(c, tree, "ticket", "initiator_data_length", "initiator_data")
end
P[21] = function(c, tree) -- General Extension, RFC 3830 §6.15
  local _, t = add(c, tree, "ext.type", 1)
  local _, len = add(c, tree, "ext.length", 2)
  if len == 0 then return end
  local sub = sub_cursor(c, len)
  local item = add(c, tree, "ext.data", len)
  while t == 3 and sub.off < sub.limit do -- Key ID information, RFC 4563 §4
    add(sub, item, "ext.key_id_type", 1)
    counted(sub, item, "ext.key_id_length", "ext.key_id", 1)
  end
end
P[22] = function(c, tree) counted(c, tree, "ibake.encr_data_len", "ibake.encr_data", 2) end
P[23] = function(c, tree) counted(c, tree, "esk.encr_data_len", "esk.encr_data", 2) end
P[26] = function(c, tree) -- SAKKE, RFC 6509 §4.2
  add(c, tree, "sakke.sakke_params", 1)
  add(c, tree, "sakke.id_scheme", 1)
  counted(c, tree, "sakke.sakke_data_length", "sakke.sakke_data", 2)
end

-- Payloads chained by Next payload (RFC 3830 §6.1); SIGN has none and ends the chain.
chain = function(c, tree, next)
  while next ~= 0 do
    local owner = OWNER[next]
    if not owner then
      undecodable(tree, string.format("payload type %d (%s) cannot be read here", next,
        vs.PayloadType[next] or "unassigned"))
    end
    need(c, tree, 1, vs.PayloadType[next])
    local start = c.off
    local pt = tree:add(F[owner .. "."], c.tvb(start, 1))
    local np = 0
    if next ~= 4 then np = select(2, add(c, pt, owner .. ".next_payload", 1)) end
    local ok, err = pcall(P[next], c, pt)
    pt:set_len(math.max(c.off - start, 1))
    if not ok then error(err, 0) end
    next = np
  end
end

local function hdr(c, tree) -- RFC 3830 §6.1; RFC 6043 §6.1
  local ht = tree:add(F["hdr."], c.tvb(0, math.min(10, c.limit)))
  add(c, ht, "hdr.version", 1)
  local _, dt = add(c, ht, "hdr.data_type", 1)
  local _, first = add(c, ht, "hdr.next_payload", 1)
  add(c, ht, "hdr.v", 1, true)
  add(c, ht, "hdr.prf_func", 1)
  add(c, ht, "hdr.csb_id", 4)
  local _, count = add(c, ht, "hdr.cs_count", 1)
  local _, map = add(c, ht, "hdr.map_type", 1)
  -- Empty map (RFC 4563 §5) has no entries; another map type gives no length to skip.
  if map > 2 then undecodable(ht, "CS ID map type " .. map .. " has no known layout") end
  for _ = 1, count do
    if map == 0 then -- SRTP-ID, RFC 3830 §6.1.1
      add(c, ht, "hdr.policy_no", 1)
      add(c, ht, "hdr.ssrc", 4)
      add(c, ht, "hdr.roc", 4)
    elseif map == 2 then -- GENERIC-ID, RFC 6043 §6.1.1
      add(c, ht, "hdr.cs_id", 1)
      add(c, ht, "hdr.prot_type", 1)
      add(c, ht, "hdr.s_flag", 1, true)
      local _, sp = add(c, ht, "hdr.policy_count", 1)
      if band(sp, 0x7f) > 0 then add(c, ht, "hdr.policies", band(sp, 0x7f)) end
      counted(c, ht, "hdr.session_data_length", "hdr.session_data", 2)
      counted(c, ht, "hdr.spi_length", "hdr.spi", 1)
    end
  end
  ht:set_len(c.off)
  return dt, first
end

local function message(data, pinfo, root)
  local c = {tvb = data, off = 0, limit = data:len(), depth = 0}
  local dt, first = hdr(c, root)
  c.dt = dt
  local name = vs.DataType[dt] or ("data type " .. dt)
  root:append_text(", " .. name)
  pinfo.cols.info:append(" MIKEY " .. name)
  chain(c, root, first)
  trailing(c, root)
end

-- The body as TS 33.328 Annex A sends it is base64 text; mikeyconf's transcript.pcap carries
-- it decoded (binary) so that other MIKEY tools read it too. A MIKEY message starts with
-- Version 1, never a base64 character, so the two cannot be confused.
function p.dissector(tvb, pinfo, tree)
  local data = tvb
  if tvb:raw():match("^[%w%+/=%s]+$") then
    local bytes = tvb:bytes():base64_decode()
    if bytes:len() > 0 then data = bytes:tvb("MIKEY (base64-decoded)") end
  end
  pinfo.cols.protocol:set("MIKEY-TICKET")
  local root = tree:add(p, data())
  local ok, err = pcall(message, data, pinfo, root)
  if not ok and err ~= STOP then error(err, 0) end
  return tvb:len()
end

-- TS 33.328 Annex A: the KMS interface carries MIKEY messages in HTTP bodies of this type.
DissectorTable.get("media_type"):add("application/mikey", p)

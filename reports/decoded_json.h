// The one JSON shape of a decoded MIKEY message (reports/README.md "Decoded message";
// docs/results.schema.json $defs/decoded_message): results.json and transcript.json write it for
// every message of a transcript, `mikeyconf decode --json` for its input (adding
// "input_format").
#pragma once

#include "inspect/decode.h"
#include "inspect/json.h"
#include "wire/bytes.h"

namespace mikeyconf::reports {

// {"hex", "length", "valid", "parses", "error", "data_type", "data_type_name", "payloads",
//  "error_numbers", "deviations", "notes", "fields", "message"}: the summary of DecodedMessage
// (decoded.h) followed by inspect::render_json's fields, deviations, notes and message tree.
inspect::Json decoded_message_json(const inspect::DecodeResult& r);
inspect::Json decoded_message_json(mikey::ByteView bytes);

}  // namespace mikeyconf::reports

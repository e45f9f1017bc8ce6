// The inline SVG sequence diagram of a case's transcript in report.html: one lifeline per party
// (the Initiator and Responder the harness plays, the SUT, and any other party a transcript
// label names), request and response arrows for each HTTP exchange labelled with the MIKEY data
// type or HTTP status, and the in-process exchanges between the reference parties (TRANSFER_INIT,
// TRANSFER_RESP, mode-3 ticket creation) drawn dotted in a distinct colour.
#pragma once

#include <string>
#include <vector>

#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::reports {

enum class ArrowKind { request, response, no_response, local };

struct Arrow {
  std::size_t step = 0;
  std::string from, to;  // lifeline names; equal for a party acting on its own
  std::string text;      // short label over the arrow
  std::string title;     // the transcript label in full (tooltip)
  ArrowKind kind = ArrowKind::request;
};

struct Lifeline {
  std::string name;                // "Initiator", "Responder", "SUT (KMS)", or a label's name
  std::vector<std::string> users;  // profile users seen acting as it ("alice")
};

struct SequenceModel {
  std::vector<Lifeline> lifelines;  // left to right
  std::vector<Arrow> arrows;        // top to bottom
};

// Reads the transcript labels (harness/engine.cc spells them "REQUEST_INIT_PSK from initiator
// (alice)", "TRANSFER_INIT alice -> bob", "TRANSFER_RESP -> alice", "mode-3 ticket created by
// alice"); a label it cannot read becomes an arrow from "Harness" to the SUT.
SequenceModel sequence_model(const harness::CaseResult& c, harness::SutRole sut_role);

// The <svg> element, every text escaped.
std::string sequence_svg(const SequenceModel& model);

}  // namespace mikeyconf::reports

// report.html's style sheet (screen and print) and its one script: the cases filter, the copy
// buttons, the messages rendered from each case's JSON data when an exchange is opened
// (html_messages.h), and the markers the browser tests read (data-ready, data-summary-*).
#pragma once

#include <string_view>

namespace mikeyconf::reports {

std::string_view report_css();
std::string_view report_script();

}  // namespace mikeyconf::reports

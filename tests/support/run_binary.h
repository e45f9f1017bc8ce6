// The real `mikeyconf` binary (MIKEYCONF_BINARY) run through the shell, as a user runs it: exit
// status, standard output and standard error. Standard error goes to a file, so it is never a
// terminal.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace mikeyconf::tools::test_support {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// `mikeyconf ARGS <STDIN_FILE`, its output kept in `base`.out and `base`.err.
inline Outcome run_mikeyconf(const std::string& args, const std::string& stdin_file,
                             const std::string& base) {
  const std::string cmd = std::string("'") + MIKEYCONF_BINARY + "' " + args + " <'" + stdin_file +
                          "' >'" + base + ".out' 2>'" + base + ".err'";
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

}  // namespace mikeyconf::tools::test_support

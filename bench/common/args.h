#pragma once

// Minimal `--key=value` command-line options for the macro workloads.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace eprop::bench {

class Args {
 public:
  Args(int argc, char** argv) {
    for (int k = 1; k < argc; ++k) {
      std::string a = argv[k];
      if (a.rfind("--", 0) != 0) {
        positional_.push_back(a);
        continue;
      }
      const auto eq = a.find('=');
      if (eq == std::string::npos) {
        values_[a.substr(2)] = "1";
      } else {
        values_[a.substr(2, eq - 2)] = a.substr(eq + 1);
      }
    }
  }
  [[nodiscard]] bool has(const std::string& key) const { return values_.count(key) != 0; }
  [[nodiscard]] std::string text(const std::string& key, const std::string& fallback) const {
    const auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
  }
  [[nodiscard]] double number(const std::string& key, double fallback) const {
    const auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    const double x = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0') {
      std::fprintf(stderr, "bad value for --%s: '%s'\n", key.c_str(), it->second.c_str());
      std::exit(2);
    }
    return x;
  }
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace eprop::bench

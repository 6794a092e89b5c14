// `eprop plot DIR`: runs eprop_plot.py (installed with the program) with Debian's python3,
// which has numpy and matplotlib.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "eprop/error.h"

namespace eprop::cli {
namespace {

namespace fs = std::filesystem;

fs::path find_script(const std::string& name) {
  if (const char* env = std::getenv("EPROP_PLOT_SCRIPT");
      name == "eprop_plot.py" && env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const fs::path& candidate :
       {exe_dir / "share/eprop" / name, exe_dir / "../share/eprop" / name,
        fs::path(EPROP_SOURCE_DIR) / "scripts" / name}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw Error("eprop: cannot find " + name +
              " (looked next to the executable, in ../share/eprop and in the source tree)");
}

std::string find_python() {
  if (const char* env = std::getenv("EPROP_PYTHON"); env != nullptr && *env != '\0') return env;
  // The python3 first on PATH may lack numpy and matplotlib; Debian's has both.
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

int plot_command(const std::string& dir, const std::string& out) {
  if (!fs::exists(fs::path(dir) / "metrics.csv") && !fs::exists(fs::path(dir) / "compare.csv")) {
    throw DataError("eprop plot: " + dir + " holds no training run (metrics.csv is missing)");
  }
  std::vector<std::string> args{dir};
  if (!out.empty()) args.insert(args.end(), {"--out", out});
  return run_plot_script("eprop_plot.py", args);
}

int run_plot_script(const std::string& script_name, const std::vector<std::string>& script_args) {
  const std::string python = find_python();
  std::vector<std::string> args{python, find_script(script_name).string()};
  args.insert(args.end(), script_args.begin(), script_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("eprop plot: fork failed");
  if (pid == 0) {
    ::execvp(argv[0], argv.data());
    fmt::print(stderr, "error: eprop: cannot run {}\n", python);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : 1;
  return 1;
}

}  // namespace eprop::cli

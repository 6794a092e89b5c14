#include "interrupt.h"

#include <unistd.h>

#include <csignal>

namespace eprop::cli {
namespace {

// A signal handler can reach only globals; these two are the CLI's only ones.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second Ctrl-C ends the process at once
}

extern "C" void exit_at_once(int sig) { ::_exit(128 + sig); }  // async-signal-safe

void handle(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

const std::atomic<bool>& interrupt_flag() { return g_stop; }

void install_interrupt_handlers() { handle(on_signal); }

void exit_on_interrupt() { handle(exit_at_once); }

int interrupt_exit_status() { return g_signal.load() == SIGTERM ? 143 : 130; }

}  // namespace eprop::cli

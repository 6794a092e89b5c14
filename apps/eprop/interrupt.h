#pragma once

// Ctrl-C and SIGTERM for the commands that run long: the first one sets a flag that the
// simulation looks at a few times per second (Simulation::set_interrupt); the command then
// stops with what it promises written; a second one ends the process at once.

#include <atomic>

namespace eprop::cli {

/// Set by the first SIGINT or SIGTERM after install_interrupt_handlers().
[[nodiscard]] const std::atomic<bool>& interrupt_flag();
void install_interrupt_handlers();
/// 130 after SIGINT, 143 after SIGTERM (the shell's 128 + signal).
[[nodiscard]] int interrupt_exit_status();

}  // namespace eprop::cli

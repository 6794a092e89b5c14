#pragma once

// Ctrl-C and SIGTERM for the commands that run long: the first one sets a flag that the
// simulation looks at a few times per second (Simulation::set_interrupt); the command then
// stops with what it promises written; a second one ends the process at once. Before that
// (reading and building a network, which writes nothing) a signal ends the process at once
// with the same exit status.

#include <atomic>

namespace eprop::cli {

/// Set by the first SIGINT or SIGTERM after install_interrupt_handlers().
[[nodiscard]] const std::atomic<bool>& interrupt_flag();
void install_interrupt_handlers();
/// Until install_interrupt_handlers(): SIGINT and SIGTERM end the process at once with 130
/// (143), so that reading a huge file or building 1e9 synapses stops promptly. Only for phases
/// that write nothing (no file is left half-written).
void exit_on_interrupt();
/// 130 after SIGINT, 143 after SIGTERM (the shell's 128 + signal).
[[nodiscard]] int interrupt_exit_status();

}  // namespace eprop::cli

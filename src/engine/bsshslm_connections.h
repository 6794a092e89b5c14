#pragma once

// The network-level connection containers of the `_bsshslm_2020` family.

#include <cstddef>
#include <optional>
#include <vector>

#include "core/types.h"
#include "engine/bsshslm_projection.h"
#include "engine/history_mirror.h"

namespace eprop {

/// eprop_synapse_bsshslm_2020 connections of one Connect call (SPEC 7.4).
template <class Real>
struct BsshslmPlasticProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;                   ///< index in NetworkSpec::connections
  std::vector<BsshslmProjection<Real>> shards;  ///< one per thread
  std::optional<std::size_t> weight_log;        ///< index into Network::weight_logs
  std::vector<MirrorTap> taps;  ///< as PlasticProjection::taps
  std::size_t mirror = 0;
};

/// One value per step and connection, delivered at the start of the next step: readout errors
/// as learning signals (eprop_learning_signal_connection_bsshslm_2020), targets from a
/// step_rate_generator (receptor 2) and the softmax normalisation between cross-entropy
/// readouts (readout -> readout rate_connection_delayed, receptor 1).
template <class Real>
struct BsshslmSignalProjection {
  enum class Kind { learning_signal, target, normalization };
  Kind kind = Kind::learning_signal;
  std::size_t source = 0;
  std::size_t target = 0;
  std::vector<LocalIndex> source_index, target_index;
  std::vector<Real> weight;
  std::vector<std::size_t> thread_begin;  ///< as SignalProjection::thread_begin
};

}  // namespace eprop

#pragma once

// All eprop_synapse connections from one source population to one e-prop target population,
// stored CSR by source (the synapses live with their target; one row per presynaptic neuron).
//
// The e-prop state splits into what depends only on the presynaptic event sequence (previous
// stamp, cutoff bookkeeping, the filtered presynaptic trace z_bar: the same for every synapse of
// a row, since all targets of a projection share their parameters) and what depends on the
// target (eligibility traces, optimizer state), which is per synapse. The numbers are those of
// NEST's per-synapse algorithm (SPEC 5.3-5.5).

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "core/optimizer.h"
#include "core/types.h"
#include "engine/events.h"
#include "engine/history.h"
#include "engine/interval_sums.h"
#include "engine/synapse_rows.h"

namespace eprop {

/// Parameters of the target population that enter the gradient.
template <class Real>
struct EpropTargetConstants {
  bool readout = false;
  bool adaptive = false;
  Real alpha = 0;  ///< voltage propagator of the target (readout: kappa_out)
  /// Recurrent targets whose tau_m varies per neuron: the propagator of each target neuron,
  /// which then also filters the presynaptic trace per synapse (empty: alpha for all).
  std::vector<Real> alpha_per_target;
  Real kappa = 0;
  Real kappa_reg = 0;
  /// c_reg != 0: the firing-rate regularisation trace e_bar_reg matters (else it is not kept:
  /// its term in the gradient is c_reg times something, exactly zero).
  bool regularised = true;
  Real rho = 0;
  Real adapt_beta = 0;
  Step cutoff_steps = kNeverSteps;

  [[nodiscard]] bool alpha_varies() const { return !alpha_per_target.empty(); }
  /// The weight bases of the target's IntervalSums that keep every neuron's powers in range.
  [[nodiscard]] std::vector<double> interval_sum_bases() const;
};

/// One piece of an interval for closed-form integration, with its per-row constants.
template <class Real>
struct ClosedFormSegment {
  Step first, last;  ///< steps, within one block
  bool has_previous;  ///< first is not a block start: subtract the sums at first - 1
  Real lead, lead_reg;  ///< kappa^(1-u0), kappa_reg^(1-u0): carried-in trace x increment of A
  Real z, z_reg;        ///< z_bar(first) alpha^-u0 (times 1 - kappa_reg for z_reg)
  Real decay, decay_reg;  ///< kappa^len, kappa_reg^len
  Real tail, tail_reg;    ///< z kappa^u1, z_reg kappa_reg^u1: increment of P into e_bar(last)
  Real kappa_u1, kappa_reg_u1;  ///< kappa^u1, kappa_reg^u1 (for a z that varies per synapse)
};

/// The per-synapse values NEST lets a user read and set on a connection (SetStatus between
/// Simulate calls): the weight and, for Adam, its moments m and v (empty vectors otherwise).
template <class Vec>
struct UserSynapseState {
  Vec& weight;
  Vec& m;
  Vec& v;
};

struct SynapseTriple {
  LocalIndex source;
  LocalIndex target;
  double weight;
};

/// Weights after each transmitted spike, for a weight_recorder.
struct WeightLog {
  std::vector<std::int64_t> source, target;
  std::vector<double> time, weight;

  template <class Archive>
  void state(Archive& ar) {
    ar(source, target, time, weight);
  }
  void append(const WeightLog& other) {
    source.insert(source.end(), other.source.begin(), other.source.end());
    target.insert(target.end(), other.target.begin(), other.target.end());
    time.insert(time.end(), other.time.begin(), other.time.end());
    weight.insert(weight.end(), other.weight.begin(), other.weight.end());
  }

  /// The weights of row `source` (synapses begin .. end - 1) once per transmitted copy of a
  /// spike of multiplicity `copies`.
  template <class Real>
  void add_row(LocalIndex source_index, std::uint32_t copies, double time_ms,
               const LocalIndex* targets, const Real* weights, std::uint64_t begin,
               std::uint64_t end) {
    for (std::uint32_t copy = 0; copy < copies; ++copy) {
      for (std::uint64_t s = begin; s < end; ++s) {
        source.push_back(source_index);
        target.push_back(targets[s]);
        time.push_back(time_ms);
        weight.push_back(static_cast<double>(weights[s]));
      }
    }
  }
};

template <class Real>
class EpropProjection {
 public:
  /// Takes the synapses CSR by presynaptic row (rows.row_begin has n_source + 1 entries).
  EpropProjection(SynapseRows<Real> rows, const OptimizerConfig& config,
                  const EpropTargetConstants<Real>& target);
  /// The same from triples in any order; each row keeps the order of its triples.
  EpropProjection(std::size_t n_source, const std::vector<SynapseTriple>& synapses,
                  const OptimizerConfig& config, const EpropTargetConstants<Real>& target);

  /// Handles one event of source i with stamp t_s: integrates the gradient since the previous
  /// event (from the target's history, or from its interval sums in closed form) and, for a
  /// spike, transmits it with the updated weights into `input` (delay 1).
  void on_event(Step t_s, LocalIndex i, std::uint32_t multiplicity, bool is_flush,
                const History<Real>& history, const IntervalSums<Real>& sums,
                InputRing<Real>& input, WeightLog* log, Real dt);

  /// Whether intervals can be integrated in closed form: per-spike optimisation (the gradient
  /// of a whole interval is applied at once), a non-adaptive target (the adaptation filter
  /// depends on psi, so its sums are not geometric) and decay factors whose powers over one
  /// block of IntervalSums are representable.
  [[nodiscard]] bool closed_form_applicable() const;
  /// Chooses closed-form integration where applicable (else the stepwise reference);
  /// returns whether it is used. The target must then keep IntervalSums.
  bool use_closed_form(bool wanted) {
    closed_form_ = wanted && closed_form_applicable();
    return closed_form_;
  }
  [[nodiscard]] bool uses_closed_form() const { return closed_form_; }
  /// Closed-form projections still integrate intervals of at most this many steps stepwise, as
  /// that is cheaper, while the target's history holds them (the network keeps that many
  /// entries beyond the ones it needs anyway).
  static constexpr Step kStepwiseMaxSteps = 10;
  [[nodiscard]] const EpropTargetConstants<Real>& target_constants() const { return c_; }
  /// The target's parameters changed live (Simulation::set_neuron_parameters): the next
  /// integration uses the new ones, as NEST's next gradient reads the target's current ones.
  /// Targets whose alpha starts to vary give each synapse its own copy of its row's trace; one
  /// that stops varying drops them (only right before a saved state replaces them).
  /// readout, adaptive and regularised must not change; closed-form tables are not updated.
  void set_target_constants(const EpropTargetConstants<Real>& c);

  /// Oldest history step a future event may read; kNeverSteps if none.
  [[nodiscard]] Step oldest_needed_step() const;

  /// Integrates now, as a flush event with stamp t would, every interval that is open for
  /// `bound` steps or more or whose trace cutoff has passed (entries up to t - 2 are final), so
  /// that the history it needs can be freed before the source's next event: a silent source
  /// would otherwise hold the history forever. The numbers do not change (SPEC 5.5): the next
  /// event integrates the rest of the interval with the carried traces, or only decays them
  /// past the cutoff. With per-spike optimisation only the cumulative gradient grows. With
  /// per-step optimisation the weights (and Adam's moments) move at steps of the interval, but
  /// NEST moves them only when the next event arrives: the values reached so far wait as
  /// pending state (pending_weight_, pending_m_, pending_v_) and the values a user reads stay
  /// NEST's until then. The rest of the optimizer state (the row's step count and learning
  /// rate, Adam's bias-correction powers, a batch's cumulative gradient) is not a user's to read
  /// and advances as NEST's loop would.
  void complete_expired_intervals(Step t, Step bound, const History<Real>& history,
                                  const IntervalSums<Real>& sums);

  [[nodiscard]] std::size_t size() const { return target_.size(); }
  /// Bytes of the per-synapse arrays now (pending values included once allocated).
  [[nodiscard]] std::size_t bytes_per_synapse() const;
  /// Bytes of the per-synapse arrays: target, weight; e_bar onto recurrent targets, e_bar_reg
  /// onto regularised ones, epsilon onto adaptive ones; the cumulative gradient unless every
  /// step optimises a batch of 1; Adam's two moments.
  [[nodiscard]] static constexpr std::size_t synapse_bytes(bool readout, bool regularised,
                                                           bool adaptive, bool cumulative,
                                                           bool adam) {
    const std::size_t traces = readout ? 0 : 1 + (regularised ? 1 : 0) + (adaptive ? 1 : 0);
    return sizeof(LocalIndex) +
           sizeof(Real) * (1 + traces + (cumulative ? 1 : 0) + (adam ? 2 : 0));
  }
  [[nodiscard]] const std::vector<std::uint64_t>& row_begin() const { return row_begin_; }
  [[nodiscard]] const std::vector<LocalIndex>& targets() const { return target_; }
  [[nodiscard]] const std::vector<Real>& weights() const { return weight_; }
  OptimizerConfig& config() { return config_; }
  UserSynapseState<std::vector<Real>> user_state() { return {weight_, adam_m_, adam_v_}; }
  [[nodiscard]] UserSynapseState<const std::vector<Real>> user_state() const {
    return {weight_, adam_m_, adam_v_};
  }

  /// The dynamic state for checkpoints (engine/partition_state.h): per presynaptic row (the
  /// same in every shard of the projection) and per synapse (each array empty or one value per
  /// synapse; the pending arrays are allocated when the first source falls silent).
  auto row_arrays() {
    return std::tie(t_previous_, remaining_, decay_steps_, previous_was_flush_, z_buffer_, z_bar_,
                    row_optimizer_);
  }
  auto synapse_arrays() {
    return std::tie(weight_, z_bar_per_synapse_, e_bar_, e_bar_reg_, epsilon_,
                    cumulative_gradient_, adam_m_, adam_v_, pending_weight_, pending_m_,
                    pending_v_);
  }
  /// After a state is loaded: every array has the length this projection uses (a damaged state
  /// must not make an event read past one, e.g. flag pending values that have no array).
  [[nodiscard]] bool check_state() const;

 private:
  void integrate(Step t_s, LocalIndex i, bool is_flush, const History<Real>& history,
                 const IntervalSums<Real>& sums);
  /// The interval of row i, steps first_k .. first_k + z_bar_sequence_.size() - 1, from the
  /// target's interval sums; `restart`: a spike enters z_bar one step after first_k.
  void integrate_closed_form(LocalIndex i, Step first_k, bool restart,
                             const IntervalSums<Real>& sums);
  /// Splits the interval into pieces within one IntervalSums block on which z_bar is geometric.
  void plan_segments(Step first_k, bool restart, Step block);
  template <bool kRegularised>
  void integrate_recurrent_closed_form(LocalIndex i, const IntervalSums<Real>& sums);
  /// z_bar(first) alpha^-u0 of every synapse of row i for each segment in turn (targets with
  /// their own alpha), handed to `visit(seg, z)`; leaves each synapse's z_bar at the last step.
  template <class Visit>
  void per_synapse_segments(LocalIndex i, Step first_k, Visit visit);
  template <std::size_t kWidth, bool kConsecutive>
  void integrate_synapses_closed_form(std::uint64_t begin, std::uint64_t end,
                                      const IntervalSums<Real>& sums);
  template <std::size_t kWidth>
  void integrate_row_per_synapse_alpha(LocalIndex i, const IntervalSums<Real>& sums);
  void integrate_readout_closed_form(LocalIndex i, const IntervalSums<Real>& sums);
  void integrate_row(LocalIndex i, Step first_k, const History<Real>& h);
  template <bool kRegularised>
  void integrate_recurrent_row(LocalIndex i, Step first_k, const History<Real>& h);
  template <bool kAdaptive, bool kEachStep, bool kRegularised, bool kConsecutiveTargets = false,
            bool kAlphaVaries = false>
  void integrate_recurrent(LocalIndex i, Step first_k, const History<Real>& h);
  template <bool kEachStep>
  void integrate_readout(LocalIndex i, Step first_k, const History<Real>& h);
  /// Splits every row into runs of consecutive targets (run_begin_, run_start_).
  void find_consecutive_runs();
  [[nodiscard]] std::uint64_t run_count(LocalIndex i) const {
    return run_begin_[i + 1] - run_begin_[i];
  }
  /// Rows with at most this many runs take the gather-free loop.
  static constexpr std::uint64_t kMaxRunsPerRow = 4;

  void decay_row(std::uint64_t begin, std::uint64_t end, Real kappa_factor, Real kappa_reg_factor,
                 Real rho_factor);
  /// One optimizer call at index idx for every synapse of row i; g(s) is each one's gradient.
  template <class Gradient>
  void optimize_row(LocalIndex i, Step idx, Gradient g);
  template <bool kUnitBatch, class Gradient>
  void descend_row(LocalIndex i, const OptimizerPlan<Real>& plan, Gradient g);

  using Segment = ClosedFormSegment<Real>;


  OptimizerConfig config_;
  EpropTargetConstants<Real> c_;
  bool closed_form_ = false;
  bool keeps_cumulative_gradient_;  ///< false when every call optimises (batch 1, per step)

  std::vector<std::uint64_t> row_begin_;
  std::vector<std::uint64_t> run_begin_;  ///< per row: first entry in run_start_
  std::vector<std::uint64_t> run_start_;  ///< synapse index where each run starts
  // per presynaptic neuron
  std::vector<Step> t_previous_, remaining_, decay_steps_;
  /// kFlushed: the previous event was a flush event (or an early integration); kPending: the
  /// row's weights (and moments) reached so far wait in the pending arrays.
  std::vector<std::uint8_t> previous_was_flush_, z_buffer_;
  static constexpr std::uint8_t kFlushed = 1;
  static constexpr std::uint8_t kPending = 2;
  /// move(first, last, to) on row i's weights (and moments) and their pending arrays.
  template <class Move>
  void move_pending(LocalIndex i, Move move);
  /// Copies the weights (and moments) of row i into the pending arrays.
  void copy_to_pending(LocalIndex i);
  /// Exchanges the weights (and moments) of row i with its pending ones.
  void swap_pending(LocalIndex i);
  std::vector<Real> z_bar_;
  std::vector<Real> z_bar_per_synapse_;  ///< instead of z_bar_ when the targets' alpha varies
  std::vector<RowOptimizerState<Real>> row_optimizer_;
  // per synapse; epsilon_ only for adaptive targets, e_bar_reg_ only for recurrent targets,
  // cumulative_gradient_ only when gradients accumulate, adam_* only for Adam
  std::vector<LocalIndex> target_;
  std::vector<Real> weight_, e_bar_, e_bar_reg_, epsilon_, cumulative_gradient_, adam_m_, adam_v_;
  /// Per-step optimisation: the weights and Adam's moments of early integrated intervals
  /// (complete_expired_intervals), meaningful in rows flagged kPending; allocated for every
  /// synapse when the first source falls silent (pending_m_, pending_v_ for Adam only).
  std::vector<Real> pending_weight_, pending_m_, pending_v_;

  // scratch
  std::vector<Real> z_bar_sequence_;  ///< z_bar at each integrated step of one event
  std::vector<Real> z_input_sequence_;  ///< the spike entering z_bar at each of those steps
  std::vector<Real> z_at_, z_segment_;  ///< per synapse of a row: z_bar(first), Z (closed form)
  std::vector<Real> adam_alpha_;      ///< Adam step sizes of one optimizer call
  std::vector<Real> step_gradient_;   ///< per-synapse gradient of one step
  std::vector<Segment> segments_;     ///< pieces of one interval (closed form)
  /// Powers used by plan_segments for a block of `powers_block_` steps, index u in [0, block]:
  /// kappa^u, kappa_reg^u, kappa^(1-u), kappa_reg^(1-u), alpha^-u.
  struct BlockPowers {
    std::vector<Real> kappa, kappa_reg, lead, lead_reg, alpha_inverse;
    /// Targets with their own alpha: alpha_j^u and alpha_j^-u at [u * n_target + j].
    std::vector<Real> target_alpha, target_alpha_inverse;
  };
  BlockPowers powers_;
  Step powers_block_ = 0;
  void compute_block_powers(Step block);
};

/// What both e-prop families do with a spike of row i once the row has learnt: deliver its
/// `copies` through the row (the delay is one step: a spike with stamp t_s acts on the targets
/// in loop time t_s), then give the row's weights to the weight recorder, if any.
template <class Projection, class Real>
void transmit_row(const Projection& rows, Step t_s, LocalIndex i, std::uint32_t copies,
                  InputRing<Real>& input, WeightLog* log, Real dt) {
  const std::uint64_t begin = rows.row_begin()[i];
  const std::uint64_t end = rows.row_begin()[i + 1];
  const LocalIndex* targets = rows.targets().data();
  const Real* weights = rows.weights().data();
  add_spike_copies(input.row(t_s), targets, weights, begin, end, copies);
  if (log == nullptr) return;
  log->add_row(i, copies, static_cast<double>(t_s) * static_cast<double>(dt), targets, weights,
               begin, end);
}

// The storage budget of issue 6 (float, gradient descent, per-spike optimisation as in the NEST
// examples): at most 24 bytes per synapse onto recurrent neurons, 16 onto readouts.
static_assert(sizeof(LocalIndex) == 4);
static_assert(EpropProjection<float>::synapse_bytes(false, true, false, true, false) == 20);
static_assert(EpropProjection<float>::synapse_bytes(false, false, false, true, false) == 16);
static_assert(EpropProjection<float>::synapse_bytes(true, false, false, true, false) == 12);

}  // namespace eprop

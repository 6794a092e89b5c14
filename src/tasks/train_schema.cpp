// The config keys of `eprop train` per task, with the defaults of the NEST examples (SPEC 11).

#include <cmath>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "tasks/train_config.h"

namespace eprop::tasks {
namespace {

constexpr double kNoLimit = 1e300;

ConfigField integer(std::string key, std::int64_t fallback, double min, double max,
                    std::string doc) {
  ConfigField f;
  f.key = std::move(key);
  f.kind = FieldKind::integer;
  f.fallback = fallback;
  f.min = min;
  f.max = max;
  f.doc = std::move(doc);
  return f;
}

ConfigField number(std::string key, double fallback, std::optional<double> min,
                   std::optional<double> max, std::string doc) {
  ConfigField f;
  f.key = std::move(key);
  f.kind = FieldKind::number;
  f.fallback = fallback;
  f.min = min;
  f.max = max;
  f.doc = std::move(doc);
  return f;
}

ConfigField boolean(std::string key, bool fallback, std::string doc) {
  ConfigField f;
  f.key = std::move(key);
  f.kind = FieldKind::boolean;
  f.fallback = fallback;
  f.doc = std::move(doc);
  return f;
}

ConfigField choice(std::string key, std::string fallback, std::vector<std::string> choices,
                   std::string doc) {
  ConfigField f;
  f.key = std::move(key);
  f.kind = FieldKind::string;
  f.fallback = std::move(fallback);
  f.choices = std::move(choices);
  f.doc = std::move(doc);
  return f;
}

ConfigField with_default_doc(ConfigField f, std::string text) {
  f.default_doc = std::move(text);
  return f;
}

ConfigField exclusive_min(ConfigField f) {
  f.min_exclusive = true;
  return f;
}

ConfigField exclusive_max(ConfigField f) {
  f.max_exclusive = true;
  return f;
}

const std::vector<std::string> kSurrogates{"piecewise_linear", "exponential",
                                           "fast_sigmoid_derivative", "arctan_derivative"};

void add_common(std::vector<ConfigField>& f, std::int64_t max_steps) {
  f.push_back(integer("run.threads", 1, 1, 1024,
                      "worker threads; results are bit-identical for every thread count"));
  f.push_back(choice("run.precision", "double", {"double", "float"},
                     "floating-point type of the engine (double reproduces NEST)"));
  f.push_back(with_default_doc(
      choice("run.integration", "closed_form", {"closed_form", "stepwise"},
             "eligibility integration of eprop_synapse intervals: closed_form (fast) or "
             "stepwise (NEST's step loop, which rounds exactly as NEST does; --integration)"),
      "closed_form, or stepwise when data.numpy_compatible"));
  f.push_back(integer("run.checkpoint_every", 0, 0, kNoLimit,
                      "write DIR/checkpoint every N iterations (0: only on Ctrl-C)"));
  f.push_back(integer("data.seed", 1, 0, 4294967295.0,
                      "seed of the task's random draws (weights, inputs, targets, masks, "
                      "shuffles): the Philox key, or np.random.seed when numpy_compatible; also "
                      "the engine's kernel seed"));
  f.push_back(boolean("data.numpy_compatible", false,
                      "draw as the NEST scripts do, with numpy's legacy generator in the scripts' "
                      "order, so that losses equal NEST's number for number (--numpy-compatible); "
                      "false: counter-based Philox draws, each a function of (seed, quantity, "
                      "index) alone"));
  f.push_back(integer("recording.n_record_rec", 4, 0, 100000,
                      "recurrent neurons whose V_m, surrogate_gradient and learning_signal are "
                      "recorded (the first n)"));
  f.push_back(
      boolean("recording.spikes", true, "record spikes of the input and recurrent neurons"));
  f.push_back(boolean("recording.readout_dynamics", true,
                      "also record V_m and error_signal of the readouts"));
  f.push_back(integer("recording.max_steps", max_steps, 1, kNoLimit,
                      "steps from the start of the first and the last iteration written to "
                      "DIR/recordings"));
}

void add_optimizer(std::vector<ConfigField>& f, const std::string& type, double epsilon) {
  f.push_back(choice("optimizer.type", type, {"gradient_descent", "adam"},
                     "optimizer of all e-prop synapses"));
  f.push_back(integer("optimizer.batch_size", 1, 1, kNoLimit,
                      "optimizer batch size (NEST optimizer parameter batch_size)"));
  f.push_back(
      number("optimizer.Wmin", -100.0, std::nullopt, std::nullopt, "lower weight bound (pA)"));
  f.push_back(
      number("optimizer.Wmax", 100.0, std::nullopt, std::nullopt, "upper weight bound (pA)"));
  f.push_back(exclusive_max(number("optimizer.beta_1", 0.9, 0.0, 1.0, "adam: beta_1")));
  f.push_back(exclusive_max(number("optimizer.beta_2", 0.999, 0.0, 1.0, "adam: beta_2")));
  f.push_back(
      exclusive_min(number("optimizer.epsilon", epsilon, 0.0, std::nullopt, "adam: epsilon")));
}

void add_early_stopping(std::vector<ConfigField>& f, bool on) {
  f.push_back(boolean("training.early_stopping", on,
                      "validate every validate_every training iterations with eta_test; if the "
                      "error is below stop_criterion run n_iter_early_stop more validation "
                      "iterations and stop if their mean error is below it too (SPEC 11.3)"));
  f.push_back(integer("training.validate_every", 10, 1, kNoLimit,
                      "training iterations between validations"));
  f.push_back(integer("training.n_iter_early_stop", 8, 1, kNoLimit,
                      "validation iterations of the early-stopping test"));
  f.push_back(
      number("training.stop_criterion", 0.07, 0.0, 1.0, "error below which training stops"));
}

std::vector<ConfigField> sine_fields() {
  std::vector<ConfigField> f;
  add_common(f, 1000);
  f.push_back(
      choice("network.model", "eprop_iaf",
             {"eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt",
              "eprop_iaf_bsshslm_2020", "eprop_iaf_adapt_bsshslm_2020"},
             "recurrent neuron model; the _bsshslm_2020 models select the SPEC 11.2 "
             "network (eprop_readout_bsshslm_2020, offsets 4 ms, unscaled weights)"));
  f.push_back(integer("network.n_in", 100, 1, 100000, "input neurons (frozen Bernoulli noise)"));
  f.push_back(integer("network.n_rec", 100, 1, 100000, "recurrent neurons"));
  f.push_back(integer("network.n_out", 1, 1, 1000, "readout neurons (all learn the same target)"));
  f.push_back(choice("recurrent.surrogate_gradient_function", "piecewise_linear", kSurrogates,
                     "surrogate gradient of the recurrent neurons"));
  f.push_back(number("recurrent.surrogate_gradient_height", 10.0, 0.0, std::nullopt,
                     "surrogate gradient height (0.3 / V_th)"));
  f.push_back(
      with_default_doc(exclusive_min(number("recurrent.surrogate_gradient_width", 1.0 / 33.3, 0.0,
                                            std::nullopt, "surrogate gradient width (mV)")),
                       "1/33.3 (event-driven), 0.03 (bsshslm)"));
  add_optimizer(f, "gradient_descent", 1e-7);
  f.push_back(with_default_doc(number("optimizer.eta", 1e-4 * (1.0 - 0.97) * (1.0 - 0.97), 0.0,
                                      std::nullopt, "learning rate"),
                               "1e-4 * (1 - kappa)^2 = 9e-8 (event-driven), 1e-4 (bsshslm)"));
  f.push_back(boolean("optimizer.optimize_each_step", false,
                      "event-driven models: apply the optimizer every step instead of once per "
                      "spike"));
  f.push_back(
      integer("training.n_iter", 200, 1, kNoLimit, "training iterations (one sequence each)"));
  f.push_back(integer("training.sequence", 1000, 2, kNoLimit, "steps (ms) per sequence"));
  f.push_back(with_default_doc(
      integer("training.extension_sim", 3, 1, 100000, "steps simulated after the task"),
      "3 (event-driven), 1 (bsshslm)"));
  f.push_back(boolean("training.final_update", true,
                      "strong spike after the task so that every synapse applies its last "
                      "update before the weights are read"));
  return f;
}

std::vector<ConfigField> evidence_fields() {
  std::vector<ConfigField> f;
  add_common(f, 2250);
  f.push_back(choice("network.family", "original", {"original", "eprop_plus"},
                     "original: NEST's _bsshslm_2020 example (SPEC 11.3); eprop_plus: the "
                     "authors' e-prop+ version (eprop_iaf/eprop_iaf_adapt, eprop_readout with "
                     "mean squared error, kappa 0.95, Adam every step; PAPER_EXPERIMENTS 5.2)"));
  f.push_back(integer("network.n_in", 40, 4, 100000,
                      "input neurons, a multiple of 4: equal groups for left cues, right cues, "
                      "recall and background"));
  f.push_back(integer("network.n_regular", 50, 1, 100000,
                      "eprop_iaf_bsshslm_2020 (e-prop+: eprop_iaf) neurons (recurrent indices 0 "
                      ".. n_regular-1)"));
  f.push_back(integer("network.n_adaptive", 50, 1, 100000,
                      "eprop_iaf_adapt_bsshslm_2020 (e-prop+: eprop_iaf_adapt) neurons "
                      "(recurrent indices after the regular ones); the 2 readouts are fixed by "
                      "the task's two classes"));
  f.push_back(choice("recurrent.surrogate_gradient_function", "piecewise_linear", kSurrogates,
                     "surrogate gradient of the recurrent neurons (regular and adaptive)"));
  f.push_back(number("recurrent.surrogate_gradient_height", 0.5, 0.0, std::nullopt,
                     "surrogate gradient height (0.3 / V_th)"));
  f.push_back(with_default_doc(
      exclusive_min(number("recurrent.surrogate_gradient_width", 0.6, 0.0, std::nullopt,
                           "surrogate gradient width (mV)")),
      "0.6 (original), 1/1.7 (eprop_plus)"));
  add_optimizer(f, "adam", 1e-8);
  f.push_back(with_default_doc(
      number("optimizer.eta", 5e-3, 0.0, std::nullopt, "learning rate of training"),
      "5e-3 (original), 5e-3 / 150 * (1 - 0.95)^2 = 8.33e-8 (eprop_plus)"));
  f.push_back(number("optimizer.eta_test", 0.0, 0.0, std::nullopt,
                     "learning rate of validation and test iterations"));
  f.push_back(integer("training.batch_size", 32, 1, 100000, "sequences per iteration (batch)"));
  f.push_back(integer("training.n_iter_train", 50, 0, kNoLimit, "training iterations"));
  f.push_back(integer("training.n_iter_test", 4, 0, kNoLimit, "test iterations after training"));
  add_early_stopping(f, true);
  f.push_back(boolean("training.final_update", true,
                      "strong spike after the task so that every synapse applies its last "
                      "update before the weights are read"));
  return f;
}

std::vector<ConfigField> nmnist_fields() {
  std::vector<ConfigField> f;
  add_common(f, 900);
  ConfigField root;
  root.key = "data.root";
  root.kind = FieldKind::string;
  root.fallback = std::string();
  root.default_doc = "(required)";
  root.doc = "N-MNIST folder with Train/ and Test/, label sub-folders 0-9 of .bin files";
  f.push_back(root);
  f.push_back(
      choice("network.model", "eprop_iaf",
             {"eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt",
              "eprop_iaf_bsshslm_2020", "eprop_iaf_adapt_bsshslm_2020"},
             "recurrent neuron model; the _bsshslm_2020 models select the original family "
             "(cross-entropy readouts, one update interval per sample, gradients applied once "
             "per iteration)"));
  f.push_back(integer("network.n_rec", 150, 1, 100000, "recurrent neurons"));
  f.push_back(exclusive_max(number("network.sparsity_in_rec", 0.75, 0.0, 1.0,
                                   "probability that an input->recurrent synapse is absent")));
  f.push_back(exclusive_max(number("network.sparsity_rec_rec", 0.99, 0.0, 1.0,
                                   "probability that a recurrent->recurrent synapse is absent")));
  f.push_back(exclusive_max(number("network.sparsity_rec_out", 0.0, 0.0, 1.0,
                                   "probability that a recurrent->readout synapse is absent")));
  f.push_back(integer("network.indegree_rec_rec", 0, 0, 99999,
                      "if > 0, recurrent inputs per recurrent neuron from distinct other neurons "
                      "(fixed indegree, replaces sparsity_rec_rec)"));
  f.push_back(choice("network.weight_init", "nest", {"nest", "paper"},
                     "nest: the tutorial's draws scaled by 1 - kappa; paper: W_in N(0, 0.03^2), "
                     "W_rec N(0, 0.02^2), W_out U(-0.006, 0.006), B N(0, 10^2)"));
  f.push_back(number("readout.E_L", 0.0, std::nullopt, std::nullopt,
                     "resting and initial potential of the readouts (readout_signal = v + E_L)"));
  f.push_back(boolean("data.all_pixels", false,
                      "use all 2312 pixels as inputs instead of dropping NEST's 1116 "
                      "blocklisted ones"));
  f.push_back(choice("recurrent.surrogate_gradient_function", "piecewise_linear", kSurrogates,
                     "surrogate gradient of the recurrent neurons"));
  f.push_back(number("recurrent.surrogate_gradient_height", 0.5, 0.0, std::nullopt,
                     "surrogate gradient height"));
  f.push_back(exclusive_min(number("recurrent.surrogate_gradient_width", 1.0 / 1.7, 0.0,
                                   std::nullopt, "surrogate gradient width (mV)")));
  f.push_back(exclusive_max(exclusive_min(
      number("recurrent.kappa", 0.99, 0.0, 1.0,
             "kappa and kappa_reg of the recurrent neurons; scale = 1 - kappa rescales c_reg, "
             "W_out, B and the default eta"))));
  add_optimizer(f, "gradient_descent", 1e-7);
  f.push_back(with_default_doc(
      number("optimizer.eta", 5e-3 * (0.01 * 0.01), 0.0, std::nullopt, "learning rate of training"),
      "5e-3 * (1 - kappa)^2 = 5e-7; 5e-3 with the _bsshslm_2020 models"));
  f.push_back(number("optimizer.eta_test", 0.0, 0.0, std::nullopt,
                     "learning rate of validation and test iterations"));
  f.push_back(boolean("optimizer.optimize_each_step", false,
                      "apply the optimizer every step instead of once per spike"));
  f.push_back(integer("training.group_size", 100, 1, 100000, "samples per iteration"));
  f.push_back(integer("training.n_iter_train", 10, 0, kNoLimit, "training iterations"));
  f.push_back(integer("training.n_iter_test", 2, 0, kNoLimit, "test iterations after training"));
  f.push_back(integer("training.sequence", 300, 2, 1000000, "steps (ms) per sample"));
  f.push_back(integer("training.learning_window", 10, 1, 1000000,
                      "last steps of each sample that carry the learning signal and the loss"));
  f.push_back(
      integer("training.extension_sim", 1, 1, 1000000, "steps simulated after the last iteration"));
  f.push_back(
      integer("training.final_update_sim", 3, 3, 1000000, "steps simulated for the final update"));
  f.push_back(boolean("training.nest_generator_reset", true,
                      "re-set the generators at the start of each iteration as NEST's script "
                      "does, which discards input spikes of the previous group still pending "
                      "(events of a last sample mapped past its end); false keeps them"));
  add_early_stopping(f, false);
  f.push_back(boolean("training.final_update", true,
                      "strong spike after the task so that every synapse applies its last "
                      "update before the weights are read"));
  return f;
}

// Lemniscate and handwriting (SPEC 11.5): the sine network with NEST's per-neuron tau_m draws.
std::vector<ConfigField> pattern_fields(bool handwriting) {
  std::vector<ConfigField> f;
  add_common(f, handwriting ? 1824 : 1258);
  if (handwriting) {
    ConfigField root;
    root.key = "data.root";
    root.kind = FieldKind::string;
    root.fallback = std::string();
    root.default_doc = "(required)";
    root.doc = "folder with NEST's chaos_handwriting.txt (e.g. ../shared/data/nest-examples)";
    f.push_back(root);
  }
  f.push_back(choice("network.model", "eprop_iaf_adapt_bsshslm_2020",
                     {"eprop_iaf_adapt_bsshslm_2020", "eprop_iaf_adapt"},
                     "recurrent neuron model (200 neurons, tau_m ~ NEST's "
                     "nest.random.normal(30, 2) with rng_seed = data.seed): "
                     "eprop_iaf_adapt_bsshslm_2020 (NEST's example) or eprop_iaf_adapt (the "
                     "e-prop+ version: kappa 0.99, c_reg " +
                         std::string(handwriting ? "0.08" : "0.12") +
                         ", readout tau_m 100, trace cutoff 100 ms)"));
  f.push_back(choice("recurrent.surrogate_gradient_function", "piecewise_linear", kSurrogates,
                     "surrogate gradient of the recurrent neurons"));
  f.push_back(number("recurrent.surrogate_gradient_height", 10.0, 0.0, std::nullopt,
                     "surrogate gradient height (0.3 / V_th)"));
  f.push_back(exclusive_min(number("recurrent.surrogate_gradient_width", 0.03, 0.0, std::nullopt,
                                   "surrogate gradient width (mV)")));
  add_optimizer(f, "adam", 1e-8);
  f.push_back(with_default_doc(number("optimizer.eta", 5e-3, 0.0, std::nullopt, "learning rate"),
                               "5e-3 (bsshslm), 5e-3 * (1 - 0.99)^2 = 5e-7 (eprop_iaf_adapt)"));
  f.push_back(
      integer("training.n_iter", 200, 1, kNoLimit, "training iterations (one sequence each)"));
  f.push_back(boolean("training.final_update", true,
                      "strong spike after the task so that every synapse applies its last "
                      "update before the weights are read"));
  return f;
}

}  // namespace

const std::vector<std::string>& train_tasks() {
  static const std::vector<std::string> tasks{"sine", "evidence", "nmnist", "lemniscate",
                                              "handwriting"};
  return tasks;
}

const std::vector<ConfigField>& config_fields(std::string_view task) {
  static const std::vector<ConfigField> sine = sine_fields();
  static const std::vector<ConfigField> evidence = evidence_fields();
  static const std::vector<ConfigField> nmnist = nmnist_fields();
  if (task == "sine") return sine;
  if (task == "evidence") return evidence;
  if (task == "nmnist") return nmnist;
  static const std::vector<ConfigField> lemniscate = pattern_fields(false);
  static const std::vector<ConfigField> handwriting = pattern_fields(true);
  if (task == "lemniscate") return lemniscate;
  if (task == "handwriting") return handwriting;
  throw ConfigError("unknown task '" + std::string(task) +
                    "' (sine, evidence, nmnist, lemniscate, handwriting)");
}

}  // namespace eprop::tasks

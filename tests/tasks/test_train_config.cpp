// Config files of `eprop train`: defaults = the NEST examples, overrides, every kind of bad input,
// round trip through the resolved TOML; the early-stopping phase schedule of SPEC 11.3.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eprop/error.h"
#include "tasks/evidence_task.h"
#include "tasks/nmnist_task.h"
#include "tasks/sine_task.h"
#include "tasks/train_config.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

// The ConfigError message of parsing `text` with `overrides`, or "" if it parsed.
std::string error_of(std::string_view task, const std::string& text,
                     const std::vector<std::string>& overrides = {}) {
  try {
    (void)parse_train_config(task, text, "bad.toml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool bits_equal(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(TrainConfig, DefaultsReproduceTheNestExamples) {
  const TrainConfig sine = parse_train_config("sine", "", "defaults");
  const SineTaskConfig builder;
  EXPECT_EQ(sine.integer("training.n_iter"), builder.n_iter);
  EXPECT_EQ(sine.integer("training.sequence"), builder.sequence);
  EXPECT_EQ(sine.integer("network.n_rec"), 100);
  EXPECT_EQ(sine.string("network.model"), "eprop_iaf");
  EXPECT_EQ(sine.string("optimizer.type"), "gradient_descent");
  EXPECT_TRUE(bits_equal(sine.number("optimizer.eta"), 1e-4 * (1.0 - 0.97) * (1.0 - 0.97)));
  EXPECT_TRUE(bits_equal(sine.number("recurrent.surrogate_gradient_width"),
                         builder.surrogate_gradient_width));
  EXPECT_EQ(sine.integer("training.extension_sim"), builder.extension_sim);
  EXPECT_EQ(sine.precision(), Precision::double_precision);
  EXPECT_TRUE(sine.explicit_keys.empty());

  const TrainConfig nmnist = parse_train_config("nmnist", "", "defaults", {"data.root=/data"});
  const NmnistTaskConfig n;
  EXPECT_TRUE(bits_equal(nmnist.number("optimizer.eta"), nmnist_eta_train(n)));
  EXPECT_EQ(nmnist.integer("training.group_size"), n.group_size);
  EXPECT_EQ(nmnist.integer("training.n_iter_train"), n.n_iter_train);
  EXPECT_EQ(nmnist.integer("training.n_iter_test"), n.n_iter_test);
  EXPECT_EQ(nmnist.number("network.sparsity_rec_rec"), n.sparsity_rec_rec);
  EXPECT_FALSE(nmnist.boolean("training.early_stopping"));

  const TrainConfig evidence = parse_train_config("evidence", "", "defaults");
  const EvidenceTaskConfig e;
  EXPECT_EQ(evidence.integer("network.n_in"), static_cast<std::int64_t>(e.n_in));
  EXPECT_EQ(evidence.integer("network.n_regular"), static_cast<std::int64_t>(e.n_regular));
  EXPECT_EQ(evidence.integer("network.n_adaptive"), static_cast<std::int64_t>(e.n_adaptive));
  EXPECT_EQ(e.n_in, 40U);  // SPEC 11.3
  EXPECT_EQ(e.n_regular + e.n_adaptive, 100U);
  EXPECT_EQ(evidence.integer("training.batch_size"), 32);
  EXPECT_EQ(evidence.integer("training.n_iter_train"), 50);
  EXPECT_EQ(evidence.string("optimizer.type"), "adam");
  EXPECT_TRUE(evidence.boolean("training.early_stopping"));

  // `eprop train` draws counter-based unless asked for NEST's numpy draws; the task builders
  // default to numpy (the reference tests build NEST's networks with them).
  for (const std::string& task : train_tasks()) {
    std::vector<std::string> overrides;
    if (task == "nmnist") overrides.emplace_back("data.root=/data");
    const TrainConfig c = parse_train_config(task, "", "defaults", overrides);
    EXPECT_FALSE(c.boolean("data.numpy_compatible")) << task;
    EXPECT_NE(to_toml(c).find("numpy_compatible = false"), std::string::npos) << task;
  }
  EXPECT_EQ(builder.draws, DrawMode::numpy_compatible);
  EXPECT_EQ(n.draws, DrawMode::numpy_compatible);
  EXPECT_EQ(e.draws, DrawMode::numpy_compatible);
}

TEST(TrainConfig, BsshslmModelSelectsItsOwnDefaults) {
  const TrainConfig c =
      parse_train_config("sine", "[network]\nmodel = \"eprop_iaf_bsshslm_2020\"\n", "b.toml");
  const SineTaskConfig b = sine_bsshslm_config();
  EXPECT_EQ(c.number("optimizer.eta"), 1e-4);
  EXPECT_EQ(c.number("recurrent.surrogate_gradient_width"), b.surrogate_gradient_width);
  EXPECT_EQ(c.integer("training.extension_sim"), b.extension_sim);
  // An explicit value wins over the model-dependent default.
  const TrainConfig d = parse_train_config(
      "sine", "[network]\nmodel = \"eprop_iaf_bsshslm_2020\"\n[optimizer]\neta = 0.5\n", "b.toml");
  EXPECT_EQ(d.number("optimizer.eta"), 0.5);
  // N-MNIST's eta follows kappa unless given.
  const TrainConfig n =
      parse_train_config("nmnist", "", "n", {"data.root=x", "recurrent.kappa=0.9"});
  NmnistTaskConfig nc;
  nc.kappa = 0.9;
  EXPECT_TRUE(bits_equal(n.number("optimizer.eta"), nmnist_eta_train(nc)));
}

TEST(TrainConfig, FileThenOverrides) {
  const std::string text =
      "task = \"sine\"\n[training]\nn_iter = 7\n[optimizer]\neta = 2\n[recurrent]\ntau_m = 20.0\n";
  const TrainConfig c = parse_train_config(
      "sine", text, "f.toml",
      {"training.n_iter=9", "network.model=eprop_iaf_adapt", "recording.spikes=false",
       "recurrent.surrogate_gradient_function=\"exponential\""});
  EXPECT_EQ(c.integer("training.n_iter"), 9);
  EXPECT_EQ(c.number("optimizer.eta"), 2.0);  // integer accepted for a number
  EXPECT_EQ(c.string("network.model"), "eprop_iaf_adapt");
  EXPECT_FALSE(c.boolean("recording.spikes"));
  EXPECT_EQ(c.string("recurrent.surrogate_gradient_function"), "exponential");
  EXPECT_EQ(std::get<double>(c.recurrent_params.at("tau_m")), 20.0);
  EXPECT_TRUE(c.is_explicit("training.n_iter"));
  EXPECT_FALSE(c.is_explicit("network.n_in"));
}

TEST(TrainConfig, RejectsBadInputNamingFileKeyValueAndConstraint) {
  struct Case {
    std::string text;
    std::vector<std::string> overrides;
    std::vector<std::string> expected;  // substrings of the message
  };
  const std::vector<Case> cases{
      {"[training]\nn_itr = 5\n", {}, {"bad.toml", "training.n_itr", "unknown key", "n_iter"}},
      {"[trainin]\nn_iter = 5\n", {}, {"bad.toml", "trainin.n_iter", "known tables"}},
      {"n_iter = 5\n", {}, {"bad.toml", "'n_iter'", "not a key of a table"}},
      {"[training]\nn_iter = \"many\"\n", {}, {"training.n_iter", "many", "an integer"}},
      {"[training]\nn_iter = 2.5\n", {}, {"training.n_iter", "2.5", "an integer"}},
      {"[training]\nn_iter = 0\n", {}, {"training.n_iter", "= 0", ">= 1"}},
      {"[network]\nmodel = \"lif\"\n", {}, {"network.model", "lif", "one of", "eprop_iaf"}},
      {"[optimizer]\nbeta_1 = 1.0\n", {}, {"optimizer.beta_1", "< 1"}},
      {"[run]\nprecision = \"half\"\n", {}, {"run.precision", "half", "double, float"}},
      {"[run]\nthreads = 0\n", {}, {"run.threads", ">= 1"}},
      {"[recording]\nspikes = 1\n", {}, {"recording.spikes", "true or false"}},
      {"[training]\nn_iter = [1, 2]\n", {}, {"training.n_iter", "single value"}},
      {"[training.extra]\nx = 1\n", {}, {"training.extra", "single value"}},
      {"task = \"nmnist\"\n", {}, {"'task'", "does not match", "sine"}},
      {"[training\nn_iter = 5\n", {}, {"bad.toml", "line 1"}},
      {"[optimizer]\nWmin = 5.0\nWmax = 1.0\n", {}, {"bad.toml", "Wmin", "Wmax"}},
      {"", {"training.n_iter=-3"}, {"--set training.n_iter=-3", "training.n_iter", ">= 1"}},
      {"", {"training.n_iter"}, {"--set training.n_iter", "key=value"}},
      {"", {"training.n_iter=abc"}, {"--set training.n_iter=abc", "an integer"}},
      {"", {"recording.max_steps=1e400"}, {"recording.max_steps"}},
      {"", {"training.n_iter=100000", "training.sequence=1000"}, {"2^24"}},
  };
  for (const Case& c : cases) {
    const std::string message = error_of("sine", c.text, c.overrides);
    ASSERT_FALSE(message.empty()) << "accepted: " << c.text;
    for (const std::string& part : c.expected) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message '" << message << "' lacks '" << part << "'";
    }
  }
  EXPECT_NE(error_of("nmnist", "").find("data.root"), std::string::npos);
  EXPECT_NE(error_of("nmnist", "", {"data.root=x", "training.learning_window=301"})
                .find("learning_window"),
            std::string::npos);
  EXPECT_NE(error_of("evidence", "", {"training.n_iter_train=0", "training.n_iter_test=0"})
                .find("n_iter_train"),
            std::string::npos);
  // The evidence network's sizes (SPEC 11.3).
  const std::vector<Case> evidence_cases{
      {"[network]\nn_in = 42\n", {}, {"bad.toml", "network.n_in", "42", "multiple of 4"}},
      {"[network]\nn_in = 0\n", {}, {"bad.toml", "network.n_in", "0", ">= 4"}},
      {"", {"network.n_regular=0"}, {"--set network.n_regular=0", "network.n_regular", ">= 1"}},
      {"[network]\nn_adaptive = 1.5\n", {}, {"network.n_adaptive", "1.5", "an integer"}},
      {"[network]\nn_out = 3\n", {}, {"network.n_out", "unknown key", "n_adaptive"}},
      {"[data]\nnumpy_compatible = 1\n", {}, {"data.numpy_compatible", "true or false"}},
  };
  for (const Case& c : evidence_cases) {
    const std::string message = error_of("evidence", c.text, c.overrides);
    ASSERT_FALSE(message.empty()) << "accepted: " << c.text;
    for (const std::string& part : c.expected) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message '" << message << "' lacks '" << part << "'";
    }
  }
  EXPECT_THROW((void)config_fields("mnist"), ConfigError);
}

TEST(TrainConfig, ResolvedTomlRoundTripsExactly) {
  for (const std::string& task : train_tasks()) {
    const TrainConfig a = parse_train_config(
        task, "", "a",
        task == "nmnist"
            ? std::vector<std::string>{"data.root=/some path/\"q\"\\x\ty", "recurrent.C_m=2"}
            : std::vector<std::string>{"recurrent.C_m=2", "recurrent.V_th=0.1"});
    const TrainConfig b = parse_train_config(task, to_toml(a), "b");
    ASSERT_EQ(a.values.size(), b.values.size());
    for (const auto& [key, value] : a.values) {
      const ConfigScalar& other = b.values.at(key);
      ASSERT_EQ(value.index(), other.index()) << key;
      if (const auto* d = std::get_if<double>(&value)) {
        EXPECT_TRUE(bits_equal(*d, std::get<double>(other))) << key;
      } else {
        EXPECT_EQ(value, other) << key;
      }
    }
    EXPECT_EQ(a.recurrent_params, b.recurrent_params);
    EXPECT_FALSE(describe_config(task).empty());
  }
}

std::vector<std::string> run_schedule(PhaseSchedule& s, const std::vector<double>& errors_by_index,
                                      std::size_t limit = 1000) {
  std::vector<std::string> phases;
  std::vector<double> known;
  for (std::size_t k = 0; k < limit; ++k) {
    // The iteration before the one now starting is not evaluated yet.
    known.assign(errors_by_index.begin(),
                 errors_by_index.begin() +
                     static_cast<std::ptrdiff_t>(
                         std::min(errors_by_index.size(), phases.empty() ? 0 : phases.size() - 1)));
    const std::string p = s.next(known);
    if (p.empty()) break;
    phases.push_back(p);
  }
  return phases;
}

TEST(PhaseSchedule, WithoutEarlyStoppingTrainsThenTests) {
  PhaseSchedule s(3, 2, false, 10, 8, 0.07);
  EXPECT_EQ(s.planned(), 5);
  EXPECT_EQ(run_schedule(s, std::vector<double>(10, 0.0)),
            (std::vector<std::string>{"training", "training", "training", "test", "test"}));
}

TEST(PhaseSchedule, ValidatesEveryTenTrainingIterations) {
  PhaseSchedule s(50, 4, true, 10, 8, 0.07);
  EXPECT_EQ(s.planned(), 59);  // SPEC 11.3: 50 + 5 + 4
  EXPECT_EQ(s.capacity(), 59 + 5 * 8);
  const auto phases = run_schedule(s, std::vector<double>(200, 0.5));
  ASSERT_EQ(phases.size(), 59U);
  for (const std::size_t v : {0U, 11U, 22U, 33U, 44U}) EXPECT_EQ(phases[v], "validation") << v;
  EXPECT_EQ(phases[1], "training");
  EXPECT_EQ(phases[55], "test");
  EXPECT_FALSE(s.stopped_early());
}

TEST(PhaseSchedule, StopsEarlyOnLowErrorAndResumesFromItsSavedState) {
  // Errors are low from iteration 5 on: at the second validation (index 11) the error the script
  // sees is the one of iteration 10 (the training iteration before), so 8 early-stopping
  // iterations follow, then one more training iteration, then the tests.
  std::vector<double> errors(200, 0.5);
  for (std::size_t k = 5; k < errors.size(); ++k) errors[k] = 0.01;
  PhaseSchedule a(50, 2, true, 10, 8, 0.07);
  const auto phases = run_schedule(a, errors);
  std::vector<std::string> expected{"validation"};
  for (int k = 0; k < 10; ++k) expected.push_back("training");
  expected.push_back("validation");
  for (int k = 0; k < 8; ++k) expected.push_back("early-stopping");
  expected.insert(expected.end(), {"training", "test", "test"});
  EXPECT_EQ(phases, expected);
  EXPECT_TRUE(a.stopped_early());

  // A schedule restored mid-way continues identically.
  PhaseSchedule b(50, 2, true, 10, 8, 0.07);
  std::vector<std::string> first = run_schedule(b, errors, 14);
  PhaseSchedule c(50, 2, true, 10, 8, 0.07);
  c.load(b.save());
  std::vector<double> known(errors.begin(), errors.begin() + 13);
  for (std::string p = c.next(known); !p.empty(); p = c.next(known)) {
    first.push_back(p);
    known.assign(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(first.size() - 1));
  }
  EXPECT_EQ(first, expected);
}

}  // namespace
}  // namespace eprop::tasks

namespace eprop::tasks {
namespace {

TEST(TrainConfig, PresetsAndFamiliesAreValidSettingsOfTheirTask) {
  for (const std::string& task : train_tasks()) {
    const std::vector<std::string> required =
        task == "nmnist" ? std::vector<std::string>{"data.root=/data"} : std::vector<std::string>{};
    for (const TrainPreset& preset : train_presets(task)) {
      std::vector<std::string> settings = required;
      settings.insert(settings.end(), preset.settings.begin(), preset.settings.end());
      EXPECT_NO_THROW(static_cast<void>(parse_train_config(task, "", "preset", settings)))
          << task << " --preset " << preset.name;
    }
    ASSERT_FALSE(task_families(task).empty()) << task;
    for (const TaskFamily& family : task_families(task)) {
      std::vector<std::string> settings = required;
      settings.insert(settings.end(), family.settings.begin(), family.settings.end());
      EXPECT_NO_THROW(static_cast<void>(parse_train_config(task, "", "family", settings)))
          << task << " " << family.name;
    }
  }
  EXPECT_EQ(task_families("sine").size(), 2U);
  EXPECT_EQ(task_families("sine").front().name, "e-prop+");
  // `best` is the paper's setup with its own schedule and precision, every key listed once.
  const std::vector<std::string>& best = preset_settings("nmnist", "best");
  const std::vector<std::string>& paper = preset_settings("nmnist", "paper");
  std::vector<std::string> changed;
  std::set<std::string> keys;
  for (const std::string& s : best) {
    EXPECT_TRUE(keys.insert(s.substr(0, s.find('='))).second) << "twice: " << s;
    if (std::find(paper.begin(), paper.end(), s) == paper.end()) changed.push_back(s);
  }
  EXPECT_EQ(changed, (std::vector<std::string>{"training.n_iter_train=50", "training.n_iter_test=1",
                                               "training.early_stopping=false",
                                               "run.precision=float"}));
  EXPECT_EQ(best.size(), paper.size() + 1);
  try {
    static_cast<void>(preset_settings("nmnist", "fastest"));
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("best"), std::string::npos) << e.what();
  }
  EXPECT_THROW(static_cast<void>(preset_settings("sine", "best")), ConfigError);
  EXPECT_THROW(static_cast<void>(task_families("unknown")), ConfigError);
}

TEST(TrainConfig, PatternTasksDefaultToNestsExamples) {
  for (const char* task : {"lemniscate", "handwriting"}) {
    const TrainConfig c = parse_train_config(task, "", "defaults");
    EXPECT_EQ(c.string("network.model"), "eprop_iaf_adapt_bsshslm_2020") << task;
    EXPECT_EQ(c.string("optimizer.type"), "adam");
    EXPECT_EQ(c.number("optimizer.eta"), 5e-3);
    EXPECT_EQ(c.number("optimizer.epsilon"), 1e-8);
    EXPECT_EQ(c.integer("training.n_iter"), 200);
    EXPECT_EQ(c.number("recurrent.surrogate_gradient_width"), 0.03);
  }
  EXPECT_THROW(static_cast<void>(parse_train_config("lemniscate", "", "x", {"data.root=/d"})),
               ConfigError);
}

}  // namespace
}  // namespace eprop::tasks

// Named settings of `eprop train` tasks (--preset) and the model families of each task
// (`eprop compare`). Both are lists of `key=value` settings of the task's schema
// (train_schema.cpp), so they are validated like any --set.

#include <algorithm>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "tasks/train_config.h"

namespace eprop::tasks {

namespace {

// PAPER_EXPERIMENTS 5.3, e-prop+ column: the paper script's network, rates and schedule.
const std::vector<std::string> kNmnistPaper{
    "data.all_pixels=true",
    "data.seed=62779435",
    "network.model=eprop_iaf_psc_delta",
    "network.n_rec=150",
    "network.sparsity_in_rec=0",
    "network.sparsity_rec_out=0",
    "network.indegree_rec_rec=15",
    "network.weight_init=paper",
    "recurrent.surrogate_gradient_function=exponential",
    "recurrent.surrogate_gradient_height=50",
    "recurrent.surrogate_gradient_width=0.02",
    "recurrent.kappa=0.97",
    "recurrent.kappa_reg=0.99",
    "recurrent.eprop_isi_trace_cutoff=100",
    "recurrent.c_reg=400",
    "recurrent.f_target=10",
    "recurrent.tau_m=10",
    "recurrent.E_L=-0.1",
    "recurrent.V_m=-0.1",
    "recurrent.V_th=0.85",
    "recurrent.V_reset=-0.3",
    "recurrent.t_ref=4",
    "readout.E_L=-0.1",
    "optimizer.type=gradient_descent",
    "optimizer.eta=5e-6",
    "training.group_size=100",
    "training.learning_window=300",
    "training.n_iter_train=400",
    "training.n_iter_test=10",
    "training.early_stopping=true",
    "training.validate_every=10",
    "training.stop_criterion=0.05",
    "training.n_iter_early_stop=8"};

// `base` with each `key=value` of `changes` replacing the setting of the same key (or added), so
// that a preset derived from another lists every key once.
std::vector<std::string> with_settings(std::vector<std::string> base,
                                       const std::vector<std::string>& changes) {
  for (const std::string& change : changes) {
    const std::string key = change.substr(0, change.find('=') + 1);
    const auto it = std::find_if(base.begin(), base.end(),
                                 [&](const std::string& s) { return s.starts_with(key); });
    if (it != base.end()) {
      *it = change;
    } else {
      base.push_back(change);
    }
  }
  return base;
}

}  // namespace

const std::vector<TrainPreset>& train_presets(std::string_view task) {
  static const std::vector<TrainPreset> none;
  static const std::vector<TrainPreset> nmnist{
      // The paper's setup trained for 5 epochs of nmnist-small, tested once on its 100 test
      // samples: the best of the settings tried (docs/user/training.md).
      {"best",
       "the best nmnist-small result found: the paper's setup, 50 iterations (5 epochs), "
       "float: 85 % test accuracy (docs/user/training.md)",
       with_settings(kNmnistPaper,
                     {"run.precision=float", "training.n_iter_train=50", "training.n_iter_test=1",
                      "training.early_stopping=false"})},
      {"paper",
       "the paper's N-MNIST setup: all 2312 pixels, 150 eprop_iaf_psc_delta, exponential "
       "surrogate, fixed indegree 15, full 300 ms window, early stopping at 5 % error",
       kNmnistPaper},
      // PAPER_EXPERIMENTS 5.3, original column: the same network, draws and schedule with the
      // _bsshslm_2020 models, cross-entropy, GD eta 5e-3 applied once per group of 100.
      {"paper_original",
       "the paper's N-MNIST setup in the original family: eprop_iaf_bsshslm_2020, piecewise-"
       "linear surrogate, c_reg 50, cross-entropy, gradient descent eta 5e-3 once per group, "
       "early stopping at 7 % error",
       {"data.all_pixels=true",
        "data.seed=1",
        "network.model=eprop_iaf_bsshslm_2020",
        "network.n_rec=150",
        "network.sparsity_in_rec=0",
        "network.sparsity_rec_out=0",
        "network.indegree_rec_rec=15",
        "network.weight_init=paper",
        "recurrent.surrogate_gradient_function=piecewise_linear",
        "recurrent.surrogate_gradient_height=0.5",
        "recurrent.surrogate_gradient_width=0.5882352941176471",
        "recurrent.c_reg=50",
        "recurrent.f_target=10",
        "recurrent.tau_m=10",
        "recurrent.E_L=-0.1",
        "recurrent.V_m=-0.1",
        "recurrent.V_th=0.85",
        "recurrent.t_ref=4",
        "readout.E_L=-0.1",
        "optimizer.type=gradient_descent",
        "optimizer.eta=5e-3",
        "training.group_size=100",
        "training.learning_window=300",
        "training.n_iter_train=400",
        "training.n_iter_test=10",
        "training.early_stopping=true",
        "training.validate_every=10",
        "training.stop_criterion=0.07",
        "training.n_iter_early_stop=8"}},
  };
  return task == "nmnist" ? nmnist : none;
}

const std::vector<std::string>& preset_settings(std::string_view task, std::string_view name) {
  const std::vector<TrainPreset>& presets = train_presets(task);
  std::string known;
  for (const TrainPreset& p : presets) {
    if (p.name == name) return p.settings;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  throw ConfigError("--preset " + std::string(name) + ": task '" + std::string(task) + "' has " +
                    (known.empty() ? "no presets" : "the presets " + known));
}

const std::vector<TaskFamily>& task_families(std::string_view task) {
  static const std::vector<TaskFamily> sine{
      {"e-prop+",
       "eprop_iaf (SPEC 11.1, NEST's event-driven example)",
       {"network.model=eprop_iaf"}},
      {"original", "eprop_iaf_bsshslm_2020 (SPEC 11.2)", {"network.model=eprop_iaf_bsshslm_2020"}},
  };
  static const std::vector<TaskFamily> nmnist{
      {"e-prop+", "eprop_iaf (SPEC 11.4, NEST's tutorial)", {"network.model=eprop_iaf"}},
      {"original", "eprop_iaf_bsshslm_2020: cross-entropy, gradients once per group",
       {"network.model=eprop_iaf_bsshslm_2020"}},
  };
  static const std::vector<TaskFamily> pattern{
      {"e-prop+", "eprop_iaf_adapt with the authors' e-prop+ settings (PAPER_EXPERIMENTS 5.4)",
       {"network.model=eprop_iaf_adapt"}},
      {"original", "eprop_iaf_adapt_bsshslm_2020 (SPEC 11.5, NEST's example)",
       {"network.model=eprop_iaf_adapt_bsshslm_2020"}},
  };
  static const std::vector<TaskFamily> evidence{
      {"e-prop+", "eprop_iaf + eprop_iaf_adapt with the authors' e-prop+ settings "
       "(PAPER_EXPERIMENTS 5.2)", {"network.family=eprop_plus"}},
      {"original", "the _bsshslm_2020 models (SPEC 11.3, NEST's example)",
       {"network.family=original"}},
  };
  if (task == "sine") return sine;
  if (task == "evidence") return evidence;
  if (task == "lemniscate" || task == "handwriting") return pattern;
  if (task == "nmnist") return nmnist;
  static_cast<void>(config_fields(task));  // throws for an unknown task
  throw ConfigError("task '" + std::string(task) + "' has no model families");
}

}  // namespace eprop::tasks
